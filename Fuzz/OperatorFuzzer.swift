// The libFuzzer entry point of yopf: one input is an operator file, a template file or a
// jq program, chosen by its first byte, run through the same code `yopf check` runs.
// Built and run by scripts/fuzz (never by `swift build`): the library targets are
// compiled with coverage and AddressSanitizer, this file is linked with libFuzzer's main.
//
// What counts as a finding: a crash (trap, sanitizer report), a hang (libFuzzer's
// -timeout), or running out of memory. Diagnostics are the normal answer to bad input.
import JQ
import JSONValue
import Spec
import YAMLLoader
#if canImport(Glibc)
import Glibc
#endif

/// Templates named by a fuzzed operator file are looked up in this folder (the script
/// points it at a copy of handlers/certificates, so `templates/certificate.yaml` exists).
private let folder: String = {
    if let value = getenv("YOPF_FUZZ_FOLDER") { return String(cString: value) }
    return "handlers/certificates"
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func yopfFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let mode = data[0]
    let text = String(decoding: UnsafeBufferPointer(start: data + 1, count: size - 1), as: UTF8.self)
    switch mode % 3 {
    case 0:
        // An operator file: YAML, the model, every expression compiled as one program.
        _ = OperatorLoader.load(yaml: text, file: "operator.yaml", folder: folder)
    case 1:
        // A template file: YAML documents, then each as a `${{ }}` template.
        if let documents = try? YAML.load(text, file: "template.yaml") {
            for document in documents { _ = try? JQTemplate(document.value) }
        }
    default:
        // jq expressions, one per line group separated by a NUL byte.
        let expressions = text.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
        _ = try? JQProgram(expressions: expressions)
    }
    return 0
}
