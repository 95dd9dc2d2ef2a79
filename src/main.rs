//! The `mldsense` command: parses the command line ([`cli`]) and runs it on the library.

mod cli;

fn main() {
    std::process::exit(cli::main());
}
