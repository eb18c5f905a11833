//! Writes the sample sheet-metal parts in `assets/samples/` (run from the
//! workspace root: `cargo run -p nesting --example make_samples`).
//!
//! The parts are drawn with several DXF entity kinds on purpose (LINE, ARC,
//! CIRCLE, LWPOLYLINE with bulges, SPLINE, blocks with INSERT, TEXT on an
//! etching layer) so the sample job exercises the importer as real files do.

use dxf::entities::{Arc, Circle, Entity, EntityType, Insert, Line, LwPolyline, Spline, Text};
use dxf::enums::{AcadVersion, Units};
use dxf::{Block, Drawing, LwPolylineVertex, Point};
use std::f64::consts::PI;
use std::path::Path;

/// Bulge of a quarter arc (90°) turning counter-clockwise.
const QUARTER: f64 = 0.414_213_562_373_095_1;

fn drawing() -> Drawing {
    let mut d = Drawing::new();
    d.header.version = AcadVersion::R2000;
    d.header.default_drawing_units = Units::Millimeters;
    d
}

fn on_layer(specific: EntityType, layer: &str) -> Entity {
    let mut e = Entity::new(specific);
    e.common.layer = layer.to_string();
    e
}

fn add(d: &mut Drawing, specific: EntityType) {
    d.add_entity(on_layer(specific, "CUT"));
}

fn line(d: &mut Drawing, a: (f64, f64), b: (f64, f64)) {
    add(
        d,
        EntityType::Line(Line::new(
            Point::new(a.0, a.1, 0.0),
            Point::new(b.0, b.1, 0.0),
        )),
    );
}

fn circle(d: &mut Drawing, c: (f64, f64), r: f64) {
    add(
        d,
        EntityType::Circle(Circle::new(Point::new(c.0, c.1, 0.0), r)),
    );
}

fn polyline(vertices: &[(f64, f64, f64)]) -> EntityType {
    let mut p = LwPolyline::default();
    p.set_is_closed(true);
    p.vertices = vertices
        .iter()
        .map(|&(x, y, bulge)| LwPolylineVertex {
            x,
            y,
            bulge,
            ..Default::default()
        })
        .collect();
    EntityType::LwPolyline(p)
}

/// Clamped uniform cubic B-spline through `points` as control points.
fn spline(points: &[(f64, f64)]) -> EntityType {
    let mut s = Spline {
        degree_of_curve: 3,
        ..Default::default()
    };
    s.set_is_planar(true);
    let n = points.len();
    let inner = n - 3; // number of knot spans
    let mut knots = vec![0.0; 4];
    knots.extend((1..inner).map(|k| k as f64));
    knots.extend([inner as f64; 4]);
    s.knot_values = knots;
    s.control_points = points.iter().map(|&(x, y)| Point::new(x, y, 0.0)).collect();
    EntityType::Spline(s)
}

/// Rounded rectangle from (x, y), size w × h, corner radius r, as bulges.
fn rounded_rect(x: f64, y: f64, w: f64, h: f64, r: f64) -> EntityType {
    polyline(&[
        (x + r, y, 0.0),
        (x + w - r, y, QUARTER),
        (x + w, y + r, 0.0),
        (x + w, y + h - r, QUARTER),
        (x + w - r, y + h, 0.0),
        (x + r, y + h, QUARTER),
        (x, y + h - r, 0.0),
        (x, y + r, QUARTER),
    ])
}

/// An L-bracket with an inner fillet, a slot, two bolt holes and an etched part number.
fn bracket() -> Drawing {
    let mut d = drawing();
    add(
        &mut d,
        polyline(&[
            (0.0, 0.0, 0.0),
            (160.0, 0.0, 0.0),
            (160.0, 40.0, 0.0),
            (50.0, 40.0, -QUARTER),
            (40.0, 50.0, 0.0),
            (40.0, 100.0, 0.0),
            (0.0, 100.0, 0.0),
        ]),
    );
    add(
        &mut d,
        polyline(&[
            (90.0, 15.0, 0.0),
            (130.0, 15.0, 1.0),
            (130.0, 25.0, 0.0),
            (90.0, 25.0, 1.0),
        ]),
    );
    circle(&mut d, (20.0, 60.0), 4.5);
    circle(&mut d, (20.0, 82.0), 4.5);
    let text = Text {
        location: Point::new(56.0, 8.0, 0.0),
        text_height: 5.0,
        value: "BRK-160".into(),
        ..Default::default()
    };
    d.add_entity(on_layer(EntityType::Text(text), "ETCH"));
    d
}

/// A round flange: Ø200 with a Ø100 bore and eight Ø14 bolt holes on a Ø160 circle.
fn flange() -> Drawing {
    let mut d = drawing();
    circle(&mut d, (0.0, 0.0), 100.0);
    circle(&mut d, (0.0, 0.0), 50.0);
    for k in 0..8 {
        let a = k as f64 * PI / 4.0 + PI / 8.0;
        circle(&mut d, (80.0 * a.cos(), 80.0 * a.sin()), 7.0);
    }
    d
}

/// A gusset drawn with single LINEs and an ARC (corner relief), with a lightening hole.
fn gusset() -> Drawing {
    let mut d = drawing();
    line(&mut d, (15.0, 0.0), (150.0, 0.0));
    line(&mut d, (150.0, 0.0), (150.0, 20.0));
    line(&mut d, (20.0, 150.0), (150.0, 20.0)); // drawn backwards on purpose
    line(&mut d, (20.0, 150.0), (0.0, 150.0));
    line(&mut d, (0.0, 150.0), (0.0, 15.0));
    add(
        &mut d,
        EntityType::Arc(Arc::new(Point::origin(), 15.0, 0.0, 90.0)),
    );
    circle(&mut d, (50.0, 50.0), 18.0);
    d
}

/// A large panel with rounded corners, a rounded cut-out, a fan hole, a
/// spline-shaped vent and four fixing holes.
fn panel() -> Drawing {
    let mut d = drawing();
    add(&mut d, rounded_rect(0.0, 0.0, 1200.0, 800.0, 20.0));
    add(&mut d, rounded_rect(100.0, 100.0, 400.0, 250.0, 15.0));
    circle(&mut d, (900.0, 550.0), 60.0);
    for (x, y) in [(40.0, 40.0), (1160.0, 40.0), (1160.0, 760.0), (40.0, 760.0)] {
        circle(&mut d, (x, y), 5.0);
    }
    add(
        &mut d,
        spline(&[
            (600.0, 200.0),
            (700.0, 150.0),
            (820.0, 200.0),
            (850.0, 300.0),
            (760.0, 380.0),
            (650.0, 360.0),
            (580.0, 300.0),
            (600.0, 200.0),
        ]),
    );
    d
}

/// A cover plate whose top edge is a spline wave, with two holes.
fn cover() -> Drawing {
    let mut d = drawing();
    line(&mut d, (0.0, 0.0), (300.0, 0.0));
    line(&mut d, (300.0, 0.0), (300.0, 120.0));
    add(
        &mut d,
        spline(&[
            (300.0, 120.0),
            (240.0, 180.0),
            (150.0, 110.0),
            (60.0, 180.0),
            (0.0, 120.0),
        ]),
    );
    line(&mut d, (0.0, 120.0), (0.0, 0.0));
    circle(&mut d, (30.0, 30.0), 6.0);
    circle(&mut d, (270.0, 30.0), 6.0);
    d
}

/// Two mounting tabs in one file, drawn as a block inserted twice.
fn tabs() -> Drawing {
    let mut d = drawing();
    let mut block = Block {
        name: "TAB".into(),
        ..Default::default()
    };
    block.entities.push(on_layer(
        polyline(&[
            (0.0, 0.0, 0.0),
            (45.0, 0.0, 1.0),
            (45.0, 30.0, 0.0),
            (0.0, 30.0, 0.0),
        ]),
        "CUT",
    ));
    block.entities.push(on_layer(
        EntityType::Circle(Circle::new(Point::new(45.0, 15.0, 0.0), 6.5)),
        "CUT",
    ));
    d.add_block(block);
    for (x, rotation) in [(0.0, 0.0), (120.0, 90.0)] {
        let insert = Insert {
            name: "TAB".into(),
            location: Point::new(x, 0.0, 0.0),
            rotation,
            ..Default::default()
        };
        add(&mut d, EntityType::Insert(insert));
    }
    d
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = Path::new("assets/samples");
    std::fs::create_dir_all(dir)?;
    type Maker = fn() -> Drawing;
    let parts: [(&str, Maker); 6] = [
        ("bracket", bracket),
        ("flange", flange),
        ("gusset", gusset),
        ("panel", panel),
        ("cover", cover),
        ("tabs", tabs),
    ];
    for (name, make) in parts {
        let path = dir.join(format!("{name}.dxf"));
        make().save_file(&path)?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
