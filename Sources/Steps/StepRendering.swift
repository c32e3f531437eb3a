import JSONValue
import Kube
import Spec

/// What a step would do, rendered without doing it: the manifests it would apply (with
/// the owner reference or owner labels it adds), the command it would run, the Job it
/// would create (with its deterministic name), the object it would scale — through the
/// same functions each step renders with before it acts, so that a preview cannot drift
/// from what runs.
///
/// Called by `yopf plan` (the HandlerPreview module). Nothing here writes: `render` asks
/// the API only for discovery; `read` runs `get` and `list` steps; `findPod` lists pods.
public enum StepRendering {
    /// One run of a step, rendered.
    public enum Rendered: Sendable {
        /// Server-side applies; with `keepExisting` an object that exists is left alone.
        case apply([PreparedManifest], keepExisting: Bool)
        case create([PreparedManifest], keepExisting: Bool)
        case job(PreparedManifest, wait: Bool, cleanup: Bool)
        case patch(ObjectRef, PatchType, JSON)
        case delete(ObjectRef, wait: Bool)
        case get(ObjectRef, optional: Bool)
        case list(ResourceInfo, namespace: String?, selector: String?)
        case exec(PodCommand, expectExitCodes: [Int])
        case stream(PodCommand, stdin: StreamInput, expectExitCodes: [Int])
        /// `patch` is the body sent to the scale subresource.
        case scale(ObjectRef, replicas: Int, wait: Bool, patch: JSON)
        case wait(ObjectRef, until: WaitAction.Until)
        /// Merged into the resource's status with the handler's progress.
        case status(JSON)
        case event(type: String, reason: String, message: String)
        case fail(message: String, permanent: Bool)
        case run(LocalCommand)
    }

    /// One run of `step` (for one item of a `forEach`, `scope` holds `$item` and `label`
    /// is `StepRunner.label(of:item:)`), rendered. Throws the `StepError` the step would
    /// fail with.
    public static func render(_ step: StepSpec, label: String, scope: Scope, env: StepEnvironment) async throws -> Rendered {
        do {
            switch step.action {
            case .apply(let a):
                return .apply(try await ApplyStep.render(a, scope, env, step: label), keepExisting: a.ifExists == .keep)
            case .create(let a):
                return .create(try await CreateStep.render(a, scope, env, step: label), keepExisting: a.ifExists == .keep)
            case .job(let a):
                return .job(try await JobStep.render(a, scope, env, step: label), wait: a.wait, cleanup: a.cleanup)
            case .patch(let a):
                let (ref, type, body) = try await PatchStep.render(a, scope, env, step: label)
                return .patch(ref, type, body)
            case .delete(let a):
                return .delete(try await TargetResolution.resolve(a.target, scope, env, step: label).1, wait: a.wait)
            case .get(let a):
                return .get(try await TargetResolution.resolve(a.target, scope, env, step: label).1, optional: a.optional)
            case .list(let a):
                let (info, namespace, selector) = try await ListStep.render(a, scope, env, step: label)
                return .list(info, namespace: namespace, selector: selector)
            case .exec(let a):
                return .exec(try await ExecTarget.render(a, scope, env, step: label), expectExitCodes: a.expectExitCodes)
            case .stream(let a):
                let (command, input) = try await StreamStep.render(a, scope, env, step: label)
                return .stream(command, stdin: input, expectExitCodes: a.exec.expectExitCodes)
            case .scale(let a):
                let (_, ref, replicas) = try await ScaleStep.render(a, scope, env, step: label)
                return .scale(ref, replicas: replicas, wait: a.wait, patch: ScaleStep.patchBody(replicas: replicas))
            case .wait(let a):
                return .wait(try await TargetResolution.resolve(a.target, scope, env, step: label).1, until: a.until)
            case .status(let a):
                return .status(try await StatusStep.render(a, scope, env, step: label))
            case .event(let a):
                return .event(type: a.type.rawValue, reason: a.reason, message: try await EventStep.render(a, scope, env, step: label))
            case .fail(let a):
                return .fail(message: try await FailStep.render(a, scope, env, step: label), permanent: a.permanent)
            case .run(let a):
                return .run(try await RunStep.render(a, scope, env, step: label))
            }
        } catch let e as KubeError {
            // Discovery failed: the same wording the step would fail with.
            throw ErrorPolicy.stepError(label, e)
        }
    }

    /// Runs a `get` or `list` step as the runtime does (it only reads) and returns its
    /// output (`$steps.NAME`); nil, without any call, for every other kind.
    public static func read(_ step: StepSpec, label: String, scope: Scope, env: StepEnvironment) async throws -> JSON? {
        switch step.action {
        case .get, .list:
            let deadline = env.clock.now + (step.timeout ?? StepRunner.defaultTimeout)
            return try await StepRunner.runOnce(step, scope, env, label: label, deadline: deadline).output
        default:
            return nil
        }
    }

    /// The pod a rendered `exec` or `stream` command would run in, and the container,
    /// chosen as the step chooses them (lists or gets pods: a read).
    public static func findPod(_ command: PodCommand, env: StepEnvironment, label: String) async throws -> (pod: String, container: String?) {
        do {
            let target = try await ExecTarget.resolve(command, env, step: label)
            return (target.pod, target.container)
        } catch let e as KubeError {
            throw ErrorPolicy.stepError(label, e)
        }
    }
}
