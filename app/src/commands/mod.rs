//! The subcommands of the `nestwork` binary.

mod bench;
mod import;
mod nest;
mod output;
mod validate;

use crate::cli::{Cli, Command};
use anyhow::Result;
use std::process::ExitCode;

/// Runs the chosen subcommand; the exit code says whether it succeeded.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Nest(args) => nest::run(&args, cli.json),
        Command::Import(args) => import::run(&args, cli.json),
        Command::Validate(args) => validate::run(&args, cli.json),
        Command::Bench(args) => bench::run(&args, cli.json),
    }
}
