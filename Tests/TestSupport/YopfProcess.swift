import Foundation

/// The yopf executable the process tests run: `YOPF_BINARY` when set (CI points it at the
/// static build), else the one built beside the running test bundle.
public enum YopfBinary {
    public static let path: String? = {
        if let explicit = ProcessInfo.processInfo.environment["YOPF_BINARY"], !explicit.isEmpty {
            return FileManager.default.isExecutableFile(atPath: explicit) ? explicit : nil
        }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The bundle may be a directory (…/yopfPackageTests.xctest/…) on some platforms.
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("yopf").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }()
}

/// A yopf process whose stdout and stderr go to files (reading pipes to the end traps on
/// EINTR under load), with bounded waits for what it prints and for its exit.
public final class YopfProcess: @unchecked Sendable {
    // @unchecked: Foundation's Process is not Sendable; this wrapper only starts it, reads
    // its log files and waits for it — no shared C state, no libjq value.
    public let process = Process()
    public let stdoutPath: String
    public let stderrPath: String
    private let stdoutHandle: FileHandle
    private let stderrHandle: FileHandle

    /// `environment` adds to (or, with an empty value, removes from) the test's own.
    public init(_ arguments: [String], environment: [String: String] = [:], currentDirectory: String? = nil) throws {
        guard let path = YopfBinary.path else { throw ProcessTestError("the yopf binary is not built") }
        let base = NSTemporaryDirectory() + "yopf-process-\(UUID().uuidString)"
        stdoutPath = base + ".out"
        stderrPath = base + ".err"
        FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        stdoutHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        stderrHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        // An empty value removes the variable.
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v.isEmpty ? nil : v }
        process.environment = env
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        process.standardOutput = stdoutHandle
        process.standardError = stderrHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    public var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }
    public var output: String { stdout + stderr }

    /// Waits (bounded) until stdout or stderr contains `text`; false when the process
    /// ended or the time ran out first.
    public func waitForOutput(_ text: String, limit: Duration = .seconds(60)) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if output.contains(text) { return true }
            if !process.isRunning { return output.contains(text) }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return output.contains(text)
    }

    /// Waits (bounded) for the exit; returns how long it took, or nil when it did not exit.
    public func waitForExit(limit: Duration = .seconds(60)) async -> Duration? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < limit {
            if !process.isRunning { return ContinuousClock.now - start }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return process.isRunning ? nil : ContinuousClock.now - start
    }

    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Ends the process if it runs and removes the log files.
    public func cleanUp() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? stdoutHandle.close()
        try? stderrHandle.close()
        try? FileManager.default.removeItem(atPath: stdoutPath)
        try? FileManager.default.removeItem(atPath: stderrPath)
    }
}

public struct ProcessTestError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A scratch folder removed by `remove()`.
public struct TemporaryFolder: Sendable {
    public let path: String

    public init(_ prefix: String = "yopf-test") throws {
        path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func write(_ relative: String, _ text: String) throws {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: true, encoding: .utf8)
    }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}
