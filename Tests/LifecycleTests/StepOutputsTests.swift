import JSONValue
import Spec
import Testing

@testable import Lifecycle

/// Which step outputs are kept in status for a resume.
@Suite struct StepOutputsTests {
    func handler(_ yaml: String) throws -> HandlerSpec {
        let full = """
            apiVersion: yopf.dev/v1alpha1
            kind: Operator
            metadata: {name: t}
            spec:
              watch: {group: x.dev, version: v1, plural: things}
              handlers:
            \(yaml)
            """
        let result = OperatorLoader.load(yaml: full, file: "op.yaml", folder: "/tmp")
        guard let loaded = result.loaded else { throw StepOutputsError(result.reportLines.joined(separator: "\n")) }
        return loaded.spec.handlers[0]
    }

    struct StepOutputsError: Error { let text: String; init(_ t: String) { text = t } }

    @Test func onlyOutputsReadLaterAreKeptAndReadsAreRepeatedInstead() throws {
        let h = try handler("""
                - id: h
                  on: create
                  steps:
                    - name: existing
                      list: {apiVersion: v1, kind: ConfigMap}
                    - name: made
                      apply: {apiVersion: v1, kind: ConfigMap, metadata: {name: x}}
                    - name: unused
                      apply: {apiVersion: v1, kind: ConfigMap, metadata: {name: y}}
                    - name: last
                      event: {reason: R, message: '${{ $steps.existing.items | length }}'}
                  result: '{made: $steps.made.object.name}'
            """)
        #expect(h.outputsReadAfter.count == 4)
        #expect(h.outputsReadAfter[0] == ["existing", "made"])
        #expect(h.outputsReadAfter[3] == ["made"])
        let outputs: JSONObject = [
            "existing": ["items": [["metadata": ["name": "a", "managedFields": [["manager": "m"]]]]]],
            "made": ["object": ["name": "x", "metadata": ["managedFields": [["manager": "yopf"]]]]],
            "unused": ["object": ["name": "y"]],
        ]
        let r = Redactor(object: [:], old: nil)
        let kept = StepOutputs.kept(outputs, after: 2, of: h, redactor: r)
        #expect(Array(kept.keys) == ["made"], "a list is read again; an output nobody reads is not kept")
        #expect(kept["made"]?["object"]?["metadata"]?["managedFields"] == nil)
        #expect(StepOutputs.toRepeat(before: 3, of: h, have: kept).map(\.name) == ["existing"])
    }

    @Test func stepsUsedWholeKeepEverything() throws {
        let h = try handler("""
                - id: h
                  on: create
                  steps:
                    - name: a
                      apply: {apiVersion: v1, kind: ConfigMap, metadata: {name: x}}
                    - event: {reason: R, message: '${{ $steps | keys | join(",") }}'}
            """)
        #expect(h.outputsReadAfter[0] == nil)
        let kept = StepOutputs.kept(["a": ["object": ["name": "x"]]], after: 0, of: h, redactor: Redactor(object: [:], old: nil))
        #expect(kept["a"] != nil)
    }

    @Test func anOutputTooBigToKeepIsMarkedAndAResumeThatNeedsItSaysSo() throws {
        let h = try handler("""
                - id: h
                  on: create
                  steps:
                    - name: big
                      run: {command: [cat, /dev/null]}
                    - event: {reason: R, message: '${{ $steps.big.stdout | length }}'}
            """)
        let huge = String(repeating: "x", count: StepOutputs.keepLimit + 10)
        let kept = StepOutputs.kept(["big": ["stdout": .string(huge)]], after: 0, of: h, redactor: Redactor(object: [:], old: nil))
        #expect(kept["big"]?["yopf.dev/omitted"] != nil)
        #expect(StepOutputs.omitted(in: kept, before: 1, of: h)?.0 == "big")
    }
}
