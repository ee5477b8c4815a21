import ArgumentParser
struct Demo: ParsableCommand { func run() throws {} }
struct Bench: ParsableCommand { func run() throws {} }
