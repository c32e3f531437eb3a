import Platform

/// Runs pod commands as processes on this machine (`yopf dev-cluster --exec=local`), for
/// end-to-end checks with real programs such as `mysqladmin` or `mysqldump`.
///
/// The process gets this machine's environment with the container's environment on top
/// (PATH stays usable), this process's working directory, and this machine's files: a Job
/// writing `/backup/x.sql` writes that local path. stdin, stdout and stderr are streamed
/// with back-pressure; cancelling the calling task kills the process.
public struct LocalPodCommandRunner: PodCommandRunner {
    public init() {}

    public func run(_ command: PodCommand, stdin: any PodInput, stdout: any PodOutput, stderr: any PodOutput) async throws -> Int32 {
        guard !command.argv.isEmpty else {
            throw PodCommandError("no command given for container \"\(command.container)\" of pod \"\(command.podName)\"")
        }
        let process: StreamingProcess
        do {
            process = try StreamingProcess(command.argv, environment: command.environment)
        } catch let e as ProcessError {
            throw PodCommandError("exec: \"\(command.argv[0])\": \(e.reason)")
        }
        return try await withTaskCancellationHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    while let chunk = await process.readStdout() { try await stdout.write(chunk) }
                }
                group.addTask {
                    while let chunk = await process.readStderr() { try await stderr.write(chunk) }
                }
                // stdin is fed apart from the group: a command that exits without reading all
                // of its input must not wait for the rest of it.
                let feeder = Task {
                    do {
                        while let chunk = try await stdin.read() { try await process.writeStdin(chunk) }
                    } catch {}
                    await process.closeStdin()
                }
                do {
                    try await group.waitForAll()
                } catch {
                    process.terminate()
                    feeder.cancel()
                    _ = await process.wait()
                    throw error
                }
                let code = await process.wait()
                feeder.cancel()
                await process.closeStdin()
                return code
            }
        } onCancel: {
            process.terminate()
        }
    }
}
