//! The subcommands of the `nestwork` binary.

pub mod account;
mod bench;
mod import;
mod nest;
mod output;
pub mod quote;
mod validate;

pub(crate) use nest::write_validated;
pub(crate) use output::write_atomically;

use crate::cli::{Cli, Command};
use anyhow::Result;
use std::process::ExitCode;

/// Runs the chosen subcommand; the exit code says whether it succeeded.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli
        .command
        .unwrap_or_else(|| Command::Gui(Default::default()))
    {
        Command::Nest(args) => nest::run(&args, cli.json),
        Command::Import(args) => import::run(&args, cli.json),
        Command::Validate(args) => validate::run(&args, cli.json),
        Command::Gui(args) => {
            let window_size = args
                .window_size
                .as_deref()
                .map(crate::gui::parse_window_size)
                .transpose()?;
            crate::gui::run(crate::gui::StartOptions {
                open: args.open,
                nest_on_start: args.nest_on_start,
                window_size,
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Account(args) => account::run(&args, cli.json),
        Command::Quote(args) => quote::run(&args, cli.json),
        Command::Bench(args) => bench::run(&args, cli.json),
    }
}
