//! The panels of the window: plain functions over the app state that push
//! commands. One file per panel.

pub mod editing;
pub mod export;
pub mod import;
pub mod menu;
pub mod nest;
pub mod parts;
pub mod preview;
pub mod status;
pub mod stock;

use super::command::Command;
use super::state::AppState;
use egui::Ui;

/// A tab of the right-hand side panel.
#[derive(Clone, Copy, Debug)]
pub struct SideTab {
    pub title: &'static str,
    pub ui: fn(&mut Ui, &AppState, &mut Vec<Command>),
}

/// The side panel's tabs, in order. Adding a panel (Quote, Account…) is one
/// line here: `SideTab { title: "Quote", ui: quote::ui }`.
pub const SIDE_TABS: &[SideTab] = &[SideTab {
    title: "Nest",
    ui: nest_tab,
}];

/// Stock and settings, nest control and results, editing tools, export.
pub fn nest_tab(ui: &mut Ui, state: &AppState, cmds: &mut Vec<Command>) {
    section(ui, "Stock & settings", true, |ui| {
        stock::ui(ui, state, cmds)
    });
    section(ui, "Nest", true, |ui| nest::ui(ui, state, cmds));
    if state.doc.is_some() {
        section(ui, "Edit layout", true, |ui| editing::ui(ui, state, cmds));
        section(ui, "Export", true, |ui| export::ui(ui, state, cmds));
    }
}

/// A titled, collapsible section.
pub fn section(ui: &mut Ui, title: &str, open: bool, body: impl FnOnce(&mut Ui)) {
    egui::CollapsingHeader::new(egui::RichText::new(title).strong())
        .default_open(open)
        .show(ui, body);
    ui.add_space(2.0);
}
