import CLI

@main
struct Entry {
    static func main() async {
        await YopfCommand.main()
    }
}
