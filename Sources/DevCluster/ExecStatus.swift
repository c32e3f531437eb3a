import JSONValue
import Kube

/// The one `Status` an exec session ends with on channel 3, worded as the kubelet words it.
/// kubectl turns `NonZeroExitCode` into its own exit code.
enum ExecStatus {
    static let success: JSON = ["metadata": [:], "status": "Success"]

    static func exited(_ code: Int, command: [String]) -> JSON {
        guard code != 0 else { return success }
        return [
            "metadata": [:], "status": "Failure",
            "message": .string("command terminated with non-zero exit code: error executing command [\(command.joined(separator: " "))], exit code \(code)"),
            "reason": "NonZeroExitCode",
            "details": ["causes": [["reason": "ExitCode", "message": .string(String(code))]]],
        ]
    }

    /// A refusal (pod gone, container unknown) or a command that could not start.
    static func failure(_ error: any Error) -> JSON {
        if let e = error as? KubeError {
            var status = e.status
            status["kind"] = nil
            status["apiVersion"] = nil
            if status["metadata"] == nil { status["metadata"] = [:] }
            return status
        }
        let message = (error as? PodExecError)?.message ?? "\(error)"
        return ["metadata": [:], "status": "Failure", "message": .string(message), "reason": "InternalError", "code": 500]
    }
}
