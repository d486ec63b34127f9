import App
import Croft
import CroftTesting
import Testing

@Suite struct HealthTests {
    @Test func answers503WhenTheDatabaseCannotBeRead() async throws {
        let directory = try TemporaryDirectory()
        let settings = Settings(environment: ["BASE_DIR": directory.path, "ALLOWED_HOSTS": "example.com"])
        let database = try Site.openDatabase(settings)
        let app = try Site.makeApplication(settings: settings, database: database)
        let healthy = await app.respond(to: Request(method: .get, target: "/health", headers: ["Host": "10.1.2.3"]))
        #expect(healthy.status == .ok)
        database.close()
        let broken = await app.respond(to: Request(method: .get, target: "/health", headers: ["Host": "10.1.2.3"]))
        #expect(broken.status == .serviceUnavailable)
    }
}
