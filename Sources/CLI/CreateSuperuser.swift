import App
import ArgumentParser
import Croft

/// `app createsuperuser`: create a staff account, interactively or from flags and an environment variable.
struct CreateSuperuser: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "createsuperuser",
        abstract: "Create a staff user who can reach /staff/.",
        discussion: """
            Interactive by default. For scripts and deploys: app createsuperuser --no-input, with the email in \
            --email or CROFT_SUPERUSER_EMAIL and the password in CROFT_SUPERUSER_PASSWORD (or the variable named by \
            --password-env). With --no-input it is idempotent: an account that exists is left as it is (exit 0), \
            so a container's entrypoint can run it on every start.
            """)

    @Option(help: "The account's email address (default with --no-input: CROFT_SUPERUSER_EMAIL).")
    var email: String?

    @Flag(help: "Do not prompt: take the email from --email and the password from the environment.")
    var noInput = false

    @Option(help: "The environment variable holding the password with --no-input.")
    var passwordEnv = "CROFT_SUPERUSER_PASSWORD"

    func run() async throws {
        let settings = Settings()
        bootstrapLogging(level: .warning)
        var address = email
        var password: String?
        if noInput {
            if address == nil, let configured = settings.values["CROFT_SUPERUSER_EMAIL"], !configured.isEmpty { address = configured }
            guard address != nil else { throw CommandFailure("--no-input needs --email or CROFT_SUPERUSER_EMAIL.") }
            guard let value = settings.values[passwordEnv], !value.isEmpty else {
                throw CommandFailure("--no-input needs the password in the \(passwordEnv) environment variable.")
            }
            password = value
        } else {
            if address == nil { address = Prompt.line("Email: ") }
            guard let given = address else { throw CommandFailure("no email given.") }
            password = Prompt.newPassword(email: given) { Accounts.validatePassword($0, email: given) }
        }
        guard let address, let password else { throw CommandFailure("no password given.") }
        let database = try Site.openDatabase(settings)
        defer { database.close() }
        guard try !Site.migrator.hasPending(database) else {
            throw CommandFailure("migrations are pending: run `app migrate` first.")
        }
        if noInput, let existing = try database.readSync({ db in try User.find(email: address, in: db) }) {
            // Idempotent for deploys: the account, its password and its rights are left as they are.
            print("user \(existing.email) already exists\(existing.isStaff ? " (staff)" : " (not staff: make it staff from /staff/users)"); nothing changed")
            return
        }
        switch try await Accounts.signUp(email: address, password: password, isStaff: true, settings: settings, db: database, verified: true) {
        case .created(let user):
            print("created staff user \(user.email)")
        case .invalid(let errors):
            throw CommandFailure(errors.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "\n"))
        }
    }
}

/// `app changepassword EMAIL`: set a user's password.
struct ChangePassword: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "changepassword", abstract: "Set a user's password (prompts twice, or --password-env VAR).")

    @Argument(help: "The account's email address.")
    var email: String

    @Option(help: "Take the new password from this environment variable instead of prompting.")
    var passwordEnv: String?

    func run() async throws {
        let settings = Settings()
        bootstrapLogging(level: .warning)
        let database = try Site.openDatabase(settings)
        defer { database.close() }
        guard var user = try await database.read({ db in try User.find(email: email, in: db) }) else {
            throw CommandFailure("no user has the email \(email). `app createsuperuser` creates one.")
        }
        let password: String
        if let passwordEnv {
            guard let value = settings.values[passwordEnv], !value.isEmpty else {
                throw CommandFailure("the environment variable \(passwordEnv) is not set.")
            }
            if let problem = Accounts.validatePassword(value, email: user.email) { throw CommandFailure(problem) }
            password = value
        } else {
            guard let value = Prompt.newPassword(email: user.email, validate: { Accounts.validatePassword($0, email: user.email) }) else {
                throw CommandFailure("no password given.")
            }
            password = value
        }
        user.passwordHash = try await Accounts.hasher(settings).hashInBackground(password)
        try await database.write { [user] db in
            var user = user
            try user.update(db)
        }
        print("password changed for \(user.email)")
    }
}
