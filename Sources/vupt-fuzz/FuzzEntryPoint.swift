// Built two ways. Normally it replays files through a parser, which the tests use to
// keep every past crash input fixed. Built by scripts/fuzz with -sanitize=fuzzer and
// -DVUPT_LIBFUZZER, libFuzzer provides main() and calls LLVMFuzzerTestOneInput with the
// target named by VUPT_FUZZ_TARGET.
import VuptFuzzTargets
import VuptVerifier

#if VUPT_LIBFUZZER
#if canImport(Glibc)
import Glibc
#endif

private let selectedTarget: String = {
    guard let value = getenv("VUPT_FUZZ_TARGET"), FuzzTargets.names.contains(String(cString: value)) else {
        fatalError("set VUPT_FUZZ_TARGET to one of: \(FuzzTargets.names.joined(separator: ", "))")
    }
    return String(cString: value)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzTargets.run(selectedTarget, Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

// SwiftPM links an executable's entry point under the name MODULE_main, so the fuzzer
// build provides that symbol and hands control to libFuzzer's driver.
@_cdecl("vupt_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var count = argc
    var vector: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return runFuzzerDriver(&count, &vector) { data, size in fuzzOneInput(data, size) }
}
#else
import VuptCommandLine

private let usage = """
    Usage: vupt-fuzz TARGET FILE...

    Run each FILE through the parser TARGET once and report that it returned. Targets:
    \(FuzzTargets.names.joined(separator: ", ")). scripts/fuzz builds the libFuzzer form.
    """

@main
struct FuzzReplay {
    static func main() {
        ErrorText.run(program: "vupt-fuzz") {
            let arguments = commandLineArguments
            if arguments.first == "--help" || arguments.first == "-h" {
                Console.out(usage)
                return ExitCode.success
            }
            guard arguments.count >= 2, FuzzTargets.names.contains(arguments[0]) else {
                throw CommandError.usage(
                    "expected a target and at least one file; targets: \(FuzzTargets.names.joined(separator: ", "))")
            }
            for path in arguments.dropFirst() {
                FuzzTargets.run(arguments[0], try FileIO.read(path, limit: 4 << 20))
            }
            Console.out("replayed \(arguments.count - 1) inputs through \(arguments[0])")
            return ExitCode.success
        }
    }
}
#endif
