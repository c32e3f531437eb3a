import CLI
import Glibc

@main
struct Entry {
    static func main() async {
        // A pod or local command that exits without reading its stdin must not kill the
        // operator: writes to a closed pipe fail with EPIPE instead.
        signal(SIGPIPE, SIG_IGN)
        await YopfCommand.main()
    }
}
