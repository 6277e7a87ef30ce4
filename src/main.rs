//! The `concord` command line. It parses arguments, draws progress on
//! stderr, and calls the engine; all the work is in the library.

mod cli;

fn main() {
    std::process::exit(cli::run());
}
