//! The `nestwork` binary: parses the command line and runs a subcommand.

use clap::Parser;
use nestwork::{cli, commands};

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
