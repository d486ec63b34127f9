import App
import Croft
import CroftTesting
import Foundation
import Testing

@Suite struct DeploymentChecksTests {
    @Test func listsEveryUnsafeProductionSetting() throws {
        let directory = try TemporaryDirectory()
        let settings = Settings(environment: [
            "BASE_DIR": directory.path, "DEBUG": "1", "ALLOWED_HOSTS": "*", "SECRET_KEY": "short",
            "PASSWORD_ITERATIONS": "1000", "LOG_LEVEL": "debug", "TRUSTED_PROXIES": "*",
            "SQLITE_SYNCHRONOUS": "off", "SQLITE_FOREIGN_KEYS": "0",
        ])
        let ids = Set(DeploymentChecks.run(settings).map(\.id))
        #expect(ids == ["croft.E001", "croft.W001", "croft.E002", "croft.E005", "croft.W003", "croft.W004", "croft.W005",
                        "croft.W007", "croft.W008", "croft.W009", "croft.W012"])
    }

    @Test func emailThatWouldNotReachAnyoneOrWouldGoInClearIsFlagged() throws {
        let directory = try TemporaryDirectory()
        func ids(_ environment: [String: String]) -> Set<String> {
            Set(DeploymentChecks.run(Settings(environment: ["BASE_DIR": directory.path].merging(environment) { _, new in new })).map(\.id))
        }
        #expect(ids(["EMAIL_BACKEND": "file"]).contains("croft.W010"))
        #expect(ids(["EMAIL_BACKEND": "smtp", "EMAIL_HOST": "smtp.example.com"]).contains("croft.W011"))
        #expect(!ids(["EMAIL_BACKEND": "smtp", "EMAIL_HOST": "localhost"]).contains("croft.W011"))  // a local relay
        #expect(!ids(["EMAIL_BACKEND": "smtp", "EMAIL_HOST": "smtp.example.com", "EMAIL_USE_SSL": "1"]).contains("croft.W011"))
        #expect(!ids(["DEFAULT_FROM_EMAIL": "Example <noreply@example.com>"]).contains("croft.W012"))
    }

    @Test func namesSettingsThatDoNotParseOrThatSQLiteWouldIgnore() throws {
        let directory = try TemporaryDirectory()
        let settings = Settings(environment: [
            "BASE_DIR": directory.path, "MAX_BODY_SIZE": "10MB", "SQLITE_SYNCHRONOUS": "FUL",
        ])
        let finding = DeploymentChecks.run(settings).first { $0.id == "croft.E006" }
        #expect(finding?.message.contains(#"MAX_BODY_SIZE="10MB" is not a whole number; synchronous "FUL" is not one of OFF, NORMAL, FULL, EXTRA"#) == true)
    }

    @Test func aCarefulProductionConfigurationPasses() throws {
        let directory = try TemporaryDirectory()
        let settings = Settings(environment: [
            "BASE_DIR": directory.path, "ENVIRONMENT": "production", "ALLOWED_HOSTS": "example.com",
            "SECRET_KEY": "8f3a1c9e5b7d2f4a6c8e0b1d3f5a7c9e", "EMAIL_BACKEND": "smtp", "EMAIL_HOST": "smtp.example.com",
            "EMAIL_PORT": "587", "EMAIL_USE_TLS": "1", "DEFAULT_FROM_EMAIL": "noreply@example.com",
        ])
        #expect(DeploymentChecks.run(settings).isEmpty)
        let missing = Settings(environment: ["BASE_DIR": directory.path, "ENVIRONMENT": "production"])
        #expect(DeploymentChecks.run(missing).map(\.id).contains("croft.E004"))
    }
}

@Suite struct UserCommandTests {
    @Test func createsuperuserWithoutInputThenChangepassword() async throws {
        let directory = try TemporaryDirectory()
        let environment = ["PASSWORD_ITERATIONS": "1000", "CROFT_SUPERUSER_PASSWORD": "correct horse"]
        #expect(try await AppProcess.run(["migrate"], baseDirectory: directory.path).status == 0)
        let created = try await AppProcess.run(["createsuperuser", "--email", "root@example.com", "--no-input"],
                                               baseDirectory: directory.path, environment: environment)
        #expect(created.status == 0)
        #expect(created.output.contains("created staff user root@example.com"))
        let again = try await AppProcess.run(["createsuperuser", "--email", "root@example.com", "--no-input"],
                                             baseDirectory: directory.path, environment: environment)
        // Idempotent with --no-input (an entrypoint runs it on every start): exit 0, nothing changed.
        let rerun = try await AppProcess.run(["createsuperuser", "--no-input"], baseDirectory: directory.path,
                                             environment: ["CROFT_SUPERUSER_EMAIL": "root@example.com", "CROFT_SUPERUSER_PASSWORD": "other words"])
        #expect(again.status == 0)
        #expect(again.output.contains("user root@example.com already exists (staff); nothing changed"))
        #expect(rerun.status == 0)
        let unchanged = try DatabasePool(path: directory.path + "/data/db.sqlite3")
        let root = try #require(try unchanged.readSync { db in try User.find(email: "root@example.com", in: db) })
        unchanged.close()
        #expect(try PasswordHasher().verify("correct horse", against: root.passwordHash))
        let fromVariable = try await AppProcess.run(["createsuperuser", "--no-input"], baseDirectory: directory.path,
                                                    environment: ["CROFT_SUPERUSER_EMAIL": "ops@example.com", "CROFT_SUPERUSER_PASSWORD": "correct horse",
                                                                  "PASSWORD_ITERATIONS": "1000"])
        #expect(fromVariable.status == 0)
        #expect(fromVariable.output.contains("created staff user ops@example.com"))
        let noPassword = try await AppProcess.run(["createsuperuser", "--email", "x@example.com", "--no-input"],
                                                  baseDirectory: directory.path, environment: ["CROFT_SUPERUSER_PASSWORD": ""])
        #expect(noPassword.status != 0)
        #expect(noPassword.output.contains("CROFT_SUPERUSER_PASSWORD"))
        let changed = try await AppProcess.run(["changepassword", "root@example.com", "--password-env", "NEW_PASSWORD"],
                                               baseDirectory: directory.path, environment: ["NEW_PASSWORD": "battery staple", "PASSWORD_ITERATIONS": "1000"])
        #expect(changed.status == 0)
        let database = try DatabasePool(path: directory.path + "/data/db.sqlite3")
        defer { database.close() }
        let user = try #require(try database.readSync { db in try User.find(email: "root@example.com", in: db) })
        #expect(user.isStaff)
        #expect(try PasswordHasher().verify("battery staple", against: user.passwordHash))
        let unknown = try await AppProcess.run(["changepassword", "nobody@example.com", "--password-env", "NEW_PASSWORD"],
                                               baseDirectory: directory.path, environment: ["NEW_PASSWORD": "battery staple"])
        #expect(unknown.status != 0)
        #expect(unknown.output.contains("no user has the email nobody@example.com"))
    }

    @Test func checkDeployExitsNonZeroOnFindings() async throws {
        let directory = try TemporaryDirectory()
        let bad = try await AppProcess.run(["check", "--deploy"], baseDirectory: directory.path, environment: ["DEBUG": "1"])
        #expect(bad.status != 0)
        #expect(bad.output.contains("croft.E001"))
        let good = try await AppProcess.run(["check", "--deploy"], baseDirectory: directory.path, environment: [
            "ENVIRONMENT": "production", "ALLOWED_HOSTS": "example.com", "SECRET_KEY": "8f3a1c9e5b7d2f4a6c8e0b1d3f5a7c9e",
            "EMAIL_BACKEND": "smtp", "EMAIL_HOST": "smtp.example.com", "EMAIL_USE_TLS": "1", "DEFAULT_FROM_EMAIL": "noreply@example.com",
        ])
        #expect(good.status == 0)
        #expect(good.output.contains("no issues found"))
    }
}
