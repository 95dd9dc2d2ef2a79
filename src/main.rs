fn main() {
    std::process::exit(mldsense::cli::main());
}
