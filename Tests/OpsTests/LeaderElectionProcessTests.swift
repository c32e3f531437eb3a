import Foundation
import TestSupport
import Testing

/// Two real `yopf run --leader-elect` processes against `yopf dev-cluster`, one of them
/// killed with SIGKILL between the steps of a handler (Tests/OpsTests/leader-election.sh).
@Suite struct LeaderElectionProcessTests {
    static var here: String { URL(fileURLWithPath: #filePath).deletingLastPathComponent().path }

    /// The yopf binary built beside this test bundle, or the one `YOPF_BINARY` names (CI
    /// runs this test again with the static binary).
    static var yopf: String? { YopfBinary.path }

    static var skipReason: String? {
        if yopf == nil { return "no yopf binary beside the test bundle" }
        if !FileManager.default.isExecutableFile(atPath: "/usr/bin/kubectl") { return "needs kubectl" }
        return nil
    }

    @Test(.enabled(if: skipReason == nil, "\(skipReason ?? "")"))
    func aStandbyTakesOverAndContinuesAtTheNextStep() throws {
        let logPath = NSTemporaryDirectory() + "yopf-leader-election-\(getpid()).log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.here + "/leader-election.sh")
        process.arguments = [Self.yopf!]
        process.standardOutput = log
        process.standardError = log
        try process.run()
        process.waitUntilExit()
        try? log.close()
        let output = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        #expect(process.terminationStatus == 0, "leader-election.sh failed:\n\(output)")
        #expect(output.contains("PASS"))
    }
}
