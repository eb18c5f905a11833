//! The `nestwork` binary: parses the command line and runs a subcommand.

use clap::Parser;
use nestwork::{cli, commands, logging};

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    logging::init();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
