import ArgumentParser

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Key ceremony (not yet implemented).")
}
