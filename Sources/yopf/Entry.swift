import CLI
import Glibc
import Platform

@main
struct Entry {
    static func main() async {
        // A pod or local command that exits without reading its stdin must not kill the
        // operator: writes to a closed pipe fail with EPIPE instead.
        signal(SIGPIPE, SIG_IGN)
        // Room to release JSON nested 10,000 levels deep on any thread (ThreadStacks).
        ThreadStacks.ensureMinimumDefault()
        await YopfCommand.main()
    }
}
