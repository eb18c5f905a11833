//! The subcommands of the `nestwork` binary.

pub mod account;
mod bench;
mod import;
mod nest;
mod output;
pub mod quote;
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
        Command::Account(args) => account::run(&args, cli.json),
        Command::Quote(args) => quote::run(&args, cli.json),
        Command::Bench(args) => bench::run(&args, cli.json),
    }
}
