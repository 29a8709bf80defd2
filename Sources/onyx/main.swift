@main struct Onyx { static func main() {} }
