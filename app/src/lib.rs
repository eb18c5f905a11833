//! The Nestwork application: command-line subcommands, job files, reports and
//! the desktop window ([`gui`]).
//! The `nestwork` binary (`main.rs`) only parses the command line and calls [`commands::run`].

pub mod cli;
pub mod commands;
pub mod gui;
pub mod inputs;
pub mod job;
pub mod licence;
pub mod logging;
pub mod output_folder;
pub mod quote;
pub mod report;
