//! Frame time of the desktop window with a 500-part layout on screen.
//!
//! Runs the real app headless (egui context, no GPU): one frame = the whole
//! UI pass plus tessellation into triangles, i.e. all CPU work of a frame
//! except the GPU upload. Scenarios: all sheets in a grid, one sheet, wheel
//! zooming (transform only, no rebuild), dragging a part (live collision
//! check every frame). Writes `benches/results/gui_frame.json`.
//!
//!     cargo bench -p nestwork --bench gui_frame

use egui::{Event, Modifiers, PointerButton, Pos2, RawInput, Rect, vec2};
use nestwork::gui::command::Command;
use nestwork::gui::state::Settings;
use nestwork::gui::{NestworkApp, StartOptions};
use serde::Serialize;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Parts of `assets/samples` used (the 1200 mm panel is left out so that
/// 500 copies make a layout of a few dense sheets).
const PARTS: [&str; 5] = ["bracket", "flange", "gusset", "cover", "tabs"];
const COPIES_PER_TYPE: u32 = 84;
const FRAMES: usize = 120;
const SCREEN: [f32; 2] = [1600.0, 1000.0];

#[derive(Serialize)]
struct Scenario {
    name: &'static str,
    frames: usize,
    mean_ms: f64,
    p50_ms: f64,
    p95_ms: f64,
    max_ms: f64,
    under_16ms: bool,
}

#[derive(Serialize)]
struct Results {
    benchmark: &'static str,
    parts_on_screen: usize,
    sheets: usize,
    window_px: [f32; 2],
    profile: &'static str,
    machine_cores: usize,
    target_ms: f64,
    scenarios: Vec<Scenario>,
}

struct Driver {
    ctx: egui::Context,
    app: NestworkApp,
    events: Vec<Event>,
}

impl Driver {
    fn frame(&mut self) -> Duration {
        let input = RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, vec2(SCREEN[0], SCREEN[1]))),
            events: std::mem::take(&mut self.events),
            ..RawInput::default()
        };
        let t = Instant::now();
        let out = self.ctx.run_ui(input, |ui| self.app.frame(ui));
        let prims = self.ctx.tessellate(out.shapes, out.pixels_per_point);
        std::hint::black_box(prims);
        t.elapsed()
    }

    fn until(&mut self, what: &str, done: impl Fn(&NestworkApp) -> bool) {
        let start = Instant::now();
        while !done(&self.app) {
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "timed out: {what}"
            );
            std::thread::sleep(Duration::from_millis(20));
            self.frame();
        }
    }
}

fn stats(name: &'static str, mut times: Vec<Duration>) -> Scenario {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mean = times.iter().map(|d| ms(*d)).sum::<f64>() / times.len() as f64;
    let pick = |q: f64| ms(times[((times.len() - 1) as f64 * q).round() as usize]);
    let s = Scenario {
        name,
        frames: times.len(),
        mean_ms: mean,
        p50_ms: pick(0.5),
        p95_ms: pick(0.95),
        max_ms: pick(1.0),
        under_16ms: pick(0.95) < 16.0,
    };
    println!(
        "{name:<12} mean {:6.2} ms  p50 {:6.2}  p95 {:6.2}  max {:6.2}",
        s.mean_ms, s.p50_ms, s.p95_ms, s.max_ms
    );
    s
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let files: Vec<PathBuf> = PARTS
        .iter()
        .map(|p| root.join(format!("assets/samples/{p}.dxf")))
        .collect();
    let ctx = egui::Context::default();
    let app = NestworkApp::new(
        &ctx,
        None,
        StartOptions {
            open: files,
            ..StartOptions::default()
        },
    );
    let mut d = Driver {
        ctx,
        app,
        events: Vec::new(),
    };
    d.frame();
    d.until("import", |a| {
        a.state.imports_pending == 0 && a.state.rows.len() >= PARTS.len()
    });
    d.app.apply(Command::SetAllQuantities(COPIES_PER_TYPE));
    let settings = Settings {
        time_limit_s: 4.0,
        seed: 1,
        ..Settings::default()
    };
    d.app.apply(Command::SetSettings(settings));
    d.app.apply(Command::StartNest);
    d.until("nest", |a| !a.state.nesting());
    let doc = d.app.state.doc.clone().expect("a layout");
    let parts = doc.layout.placed_count();
    assert!(parts >= 500, "only {parts} parts placed");

    let mut scenarios = Vec::new();
    // All sheets in a grid.
    d.app.view.preview.grid = true;
    d.app.view.preview.fit_pending = true;
    for _ in 0..5 {
        d.frame();
    }
    let grid: Vec<Duration> = (0..FRAMES).map(|_| d.frame()).collect();
    scenarios.push(stats("grid", grid));

    // Zooming with the wheel over the canvas (no cache rebuild).
    let center = d.app.view.preview.canvas.center();
    let zoom: Vec<Duration> = (0..FRAMES)
        .map(|i| {
            d.events.push(Event::PointerMoved(center));
            d.events.push(Event::MouseWheel {
                unit: egui::MouseWheelUnit::Point,
                delta: vec2(0.0, if i < FRAMES / 2 { 30.0 } else { -30.0 }),
                phase: egui::TouchPhase::Move,
                source: egui::MouseWheelSource::Wheel,
                modifiers: Modifiers::NONE,
            });
            d.frame()
        })
        .collect();
    scenarios.push(stats("wheel-zoom", zoom));

    // One sheet (tabs), the densest one.
    d.app.view.preview.grid = false;
    d.app.view.preview.sheet = 0;
    d.app.view.preview.fit_pending = true;
    for _ in 0..5 {
        d.frame();
    }
    let tab: Vec<Duration> = (0..FRAMES).map(|_| d.frame()).collect();
    scenarios.push(stats("one-sheet", tab));

    // Dragging a part across the sheet: fast collision check every frame.
    let p = doc.layout.sheets[0].placements[0];
    let shape = &doc.shapes[p.part];
    let pts: Vec<_> = shape.points().copied().collect();
    let t = &shape.triangles;
    let c = nesting::geometry::Point::new(
        (pts[t[0] as usize].x + pts[t[1] as usize].x + pts[t[2] as usize].x) / 3.0,
        (pts[t[0] as usize].y + pts[t[1] as usize].y + pts[t[2] as usize].y) / 3.0,
    );
    let from = d
        .app
        .view
        .preview
        .screen_pos(&doc, 0, p.transform.apply(c))
        .expect("sheet 1 on screen");
    d.events.push(Event::PointerMoved(from));
    d.frame();
    d.events.push(Event::PointerButton {
        pos: from,
        button: PointerButton::Primary,
        pressed: true,
        modifiers: Modifiers::NONE,
    });
    d.frame();
    let drag: Vec<Duration> = (0..FRAMES)
        .map(|i| {
            d.events.push(Event::PointerMoved(
                from + vec2(i as f32 * 3.0, i as f32 * 1.5),
            ));
            d.frame()
        })
        .collect();
    assert!(
        d.app.view.preview.drag_collides().is_some(),
        "the drag did not start"
    );
    scenarios.push(stats("drag-part", drag));

    let results = Results {
        benchmark: "GUI frame time (UI pass + tessellation), 500-part layout",
        parts_on_screen: parts,
        sheets: doc.layout.sheets.len(),
        window_px: SCREEN,
        profile: if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        machine_cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        target_ms: 16.0,
        scenarios,
    };
    let out = root.join("benches/results");
    std::fs::create_dir_all(&out).expect("create benches/results");
    let path = out.join("gui_frame.json");
    std::fs::write(&path, serde_json::to_string_pretty(&results).expect("json"))
        .expect("write the results");
    println!("written {}", path.display());
}
