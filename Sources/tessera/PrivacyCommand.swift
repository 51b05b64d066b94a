import ArgumentParser

struct Privacy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Privacy accounting and noise (not yet implemented).")
}
