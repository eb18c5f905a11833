//! DXF entities to geometry: every drawable entity becomes an open path of
//! bulge vertices in millimetres (original drawing frame), with INSERT/MINSERT
//! expanded, extrusion mirrors applied, curves flattened and arcs kept exact
//! wherever the transform allows it.

use super::spline::{Nurbs, flatten_ellipse, flatten_fit_points};
use crate::geometry::{Point, Vertex, arc_from_bulge, arc_steps};
use dxf::entities::{Entity, EntityType, Insert};
use dxf::{Block, Drawing};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::f64::consts::PI;

/// Deepest INSERT nesting that is expanded.
pub const MAX_BLOCK_DEPTH: usize = 16;
/// Most block instances expanded per file (guards against MINSERT bombs).
pub const MAX_INSTANCES: usize = 200_000;

/// A 2-D affine map: `x' = a·x + b·y + e`, `y' = c·x + d·y + f`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Affine {
    pub a: f64,
    pub b: f64,
    pub c: f64,
    pub d: f64,
    pub e: f64,
    pub f: f64,
}

impl Affine {
    pub const IDENTITY: Affine = Affine {
        a: 1.0,
        b: 0.0,
        c: 0.0,
        d: 1.0,
        e: 0.0,
        f: 0.0,
    };

    pub fn scale(sx: f64, sy: f64) -> Affine {
        Affine {
            a: sx,
            d: sy,
            ..Affine::IDENTITY
        }
    }
    pub fn translate(x: f64, y: f64) -> Affine {
        Affine {
            e: x,
            f: y,
            ..Affine::IDENTITY
        }
    }
    pub fn rotate_deg(deg: f64) -> Affine {
        let (s, c) = deg.to_radians().sin_cos();
        Affine {
            a: c,
            b: -s,
            c: s,
            d: c,
            e: 0.0,
            f: 0.0,
        }
    }
    /// `self ∘ o`: apply `o` first, then `self`.
    pub fn then_after(&self, o: &Affine) -> Affine {
        Affine {
            a: self.a * o.a + self.b * o.c,
            b: self.a * o.b + self.b * o.d,
            c: self.c * o.a + self.d * o.c,
            d: self.c * o.b + self.d * o.d,
            e: self.a * o.e + self.b * o.f + self.e,
            f: self.c * o.e + self.d * o.f + self.f,
        }
    }
    pub fn apply(&self, p: Point) -> Point {
        Point::new(
            self.a * p.x + self.b * p.y + self.e,
            self.c * p.x + self.d * p.y + self.f,
        )
    }
    pub fn det(&self) -> f64 {
        self.a * self.d - self.b * self.c
    }
    /// Largest stretch factor (largest singular value).
    pub fn max_scale(&self) -> f64 {
        let p = self.a * self.a + self.b * self.b + self.c * self.c + self.d * self.d;
        let q = self.det();
        let disc = (p * p - 4.0 * q * q).max(0.0).sqrt();
        ((p + disc) / 2.0).sqrt()
    }
    /// True when circles stay circles (rotation, uniform scale, optional mirror).
    pub fn is_similarity(&self) -> bool {
        let s = self.max_scale().max(1e-300);
        let eps = 1e-9 * s;
        ((self.a - self.d).abs() < eps && (self.b + self.c).abs() < eps)
            || ((self.a + self.d).abs() < eps && (self.b - self.c).abs() < eps)
    }
    /// Rotation angle of the x axis in degrees.
    pub fn angle_deg(&self) -> f64 {
        self.c.atan2(self.a).to_degrees()
    }
}

/// An open path of bulge vertices in mm; the last vertex's bulge is unused.
/// Closed entities repeat their first point at the end.
#[derive(Clone, Debug, PartialEq)]
pub struct RawPath {
    pub layer: String,
    pub verts: Vec<Vertex>,
}

/// A TEXT/MTEXT line in mm.
#[derive(Clone, Debug, PartialEq)]
pub struct RawText {
    pub layer: String,
    pub position: Point,
    pub height_mm: f64,
    pub angle_deg: f64,
    pub text: String,
}

/// Everything collected from the drawing's model space.
#[derive(Debug, Default)]
pub struct Collected {
    pub paths: Vec<RawPath>,
    pub texts: Vec<RawText>,
    /// (kind, reason) -> count.
    pub ignored: BTreeMap<(String, String), usize>,
    /// Effective layer -> entities seen (block contents per instance).
    pub layer_counts: BTreeMap<String, usize>,
    /// Layer -> entities skipped because the layer is frozen or off.
    pub hidden_counts: BTreeMap<String, usize>,
    pub missing_blocks: BTreeMap<String, usize>,
    pub depth_exceeded: usize,
    pub paper_space: usize,
    pub warnings: Vec<String>,
    instances: usize,
}

/// The DXF name of an entity kind (as in the file's `0/<NAME>` pair).
pub fn dxf_name(e: &EntityType) -> &'static str {
    use EntityType as T;
    match e {
        T::Face3D(_) => "3DFACE",
        T::Solid3D(_) => "3DSOLID",
        T::ProxyEntity(_) => "ACAD_PROXY_ENTITY",
        T::Arc(_) => "ARC",
        T::ArcAlignedText(_) => "ARCALIGNEDTEXT",
        T::AttributeDefinition(_) => "ATTDEF",
        T::Attribute(_) => "ATTRIB",
        T::Body(_) => "BODY",
        T::Circle(_) => "CIRCLE",
        T::RotatedDimension(_)
        | T::RadialDimension(_)
        | T::DiameterDimension(_)
        | T::AngularThreePointDimension(_)
        | T::OrdinateDimension(_) => "DIMENSION",
        T::Ellipse(_) => "ELLIPSE",
        T::Helix(_) => "HELIX",
        T::Image(_) => "IMAGE",
        T::Insert(_) => "INSERT",
        T::Leader(_) => "LEADER",
        T::Light(_) => "LIGHT",
        T::Line(_) => "LINE",
        T::LwPolyline(_) => "LWPOLYLINE",
        T::MLine(_) => "MLINE",
        T::MText(_) => "MTEXT",
        T::OleFrame(_) => "OLEFRAME",
        T::Ole2Frame(_) => "OLE2FRAME",
        T::ModelPoint(_) => "POINT",
        T::Polyline(_) => "POLYLINE",
        T::Ray(_) => "RAY",
        T::Region(_) => "REGION",
        T::RText(_) => "RTEXT",
        T::Section(_) => "SECTION",
        T::Seqend(_) => "SEQEND",
        T::Shape(_) => "SHAPE",
        T::Solid(_) => "SOLID",
        T::Spline(_) => "SPLINE",
        T::Text(_) => "TEXT",
        T::Tolerance(_) => "TOLERANCE",
        T::Trace(_) => "TRACE",
        T::DgnUnderlay(_) => "DGNUNDERLAY",
        T::DwfUnderlay(_) => "DWFUNDERLAY",
        T::PdfUnderlay(_) => "PDFUNDERLAY",
        T::Vertex(_) => "VERTEX",
        T::Wipeout(_) => "WIPEOUT",
        T::XLine(_) => "XLINE",
    }
}

/// Why an entity kind that carries no cut geometry is left out.
fn ignore_reason(e: &EntityType) -> &'static str {
    use EntityType as T;
    match e {
        T::RotatedDimension(_)
        | T::RadialDimension(_)
        | T::DiameterDimension(_)
        | T::AngularThreePointDimension(_)
        | T::OrdinateDimension(_)
        | T::Leader(_)
        | T::Tolerance(_)
        | T::ArcAlignedText(_)
        | T::RText(_) => "annotation, not cut",
        T::AttributeDefinition(_) | T::Attribute(_) => "block attribute text, not cut",
        T::ModelPoint(_) => "point, not cut",
        T::Image(_)
        | T::Wipeout(_)
        | T::OleFrame(_)
        | T::Ole2Frame(_)
        | T::DgnUnderlay(_)
        | T::DwfUnderlay(_)
        | T::PdfUnderlay(_) => "image/underlay, not cut",
        T::Face3D(_)
        | T::Solid3D(_)
        | T::Body(_)
        | T::Region(_)
        | T::Section(_)
        | T::Light(_)
        | T::Helix(_) => "3D object, not cut",
        T::Solid(_) | T::Trace(_) => "filled 2D solid, not cut",
        T::Ray(_) | T::XLine(_) => "infinite construction line, not cut",
        _ => "entity kind not supported for cutting",
    }
}

/// Walks model space and block definitions.
#[derive(Debug)]
pub struct Walker<'a> {
    blocks: HashMap<String, &'a Block>,
    hidden_layers: &'a HashSet<String>,
    tol_mm: f64,
    pub out: Collected,
}

fn p2(p: &dxf::Point) -> Point {
    Point::new(p.x, p.y)
}

impl<'a> Walker<'a> {
    /// `hidden_layers`: upper-case names of frozen/off layers. `tol_mm`: chord tolerance.
    pub fn new(drawing: &'a Drawing, hidden_layers: &'a HashSet<String>, tol_mm: f64) -> Self {
        let blocks = drawing
            .blocks()
            .map(|b| (b.name.to_uppercase(), b))
            .collect();
        Self {
            blocks,
            hidden_layers,
            tol_mm,
            out: Collected::default(),
        }
    }

    fn ignore(&mut self, kind: &str, reason: &str) {
        *self
            .out
            .ignored
            .entry((kind.to_string(), reason.to_string()))
            .or_default() += 1;
    }

    /// Processes one entity under transform `m` (local -> mm); `parent_layer`
    /// replaces layer "0" inside blocks.
    pub fn entity(&mut self, e: &Entity, m: &Affine, parent_layer: Option<&str>, depth: usize) {
        if e.common.is_in_paper_space {
            if depth == 0 {
                self.out.paper_space += 1;
            }
            return;
        }
        let layer = match parent_layer {
            Some(pl) if e.common.layer == "0" || e.common.layer.is_empty() => pl.to_string(),
            _ => e.common.layer.clone(),
        };
        if self.hidden_layers.contains(&layer.to_uppercase()) {
            *self.out.hidden_counts.entry(layer).or_default() += 1;
            return;
        }
        if !matches!(
            e.specific,
            EntityType::Insert(_) | EntityType::Seqend(_) | EntityType::Vertex(_)
        ) {
            *self.out.layer_counts.entry(layer.clone()).or_default() += 1;
        }
        use EntityType as T;
        match &e.specific {
            T::Line(l) => {
                let a = m.apply(p2(&l.p1));
                let b = m.apply(p2(&l.p2));
                self.push(&layer, vec![Vertex::line(a.x, a.y), Vertex::line(b.x, b.y)]);
            }
            T::Arc(arc) => {
                let ocs = self.ocs(&arc.normal, "ARC");
                let sweep = (arc.end_angle - arc.start_angle).rem_euclid(360.0);
                let sweep = if sweep == 0.0 { 360.0 } else { sweep };
                let verts = arc_vertices(p2(&arc.center), arc.radius, arc.start_angle, sweep);
                self.bulge_path(&layer, &verts, &m.then_after(&ocs));
            }
            T::Circle(c) => {
                let ocs = self.ocs(&c.normal, "CIRCLE");
                let verts = arc_vertices(p2(&c.center), c.radius, 0.0, 360.0);
                self.bulge_path(&layer, &verts, &m.then_after(&ocs));
            }
            T::LwPolyline(pl) => {
                let ocs = self.ocs(&pl.extrusion_direction, "LWPOLYLINE");
                let mut verts: Vec<Vertex> = pl
                    .vertices
                    .iter()
                    .map(|v| Vertex::new(v.x, v.y, v.bulge))
                    .collect();
                if pl.is_closed() && verts.len() > 1 {
                    verts.push(Vertex::line(verts[0].x, verts[0].y));
                }
                self.bulge_path(&layer, &verts, &m.then_after(&ocs));
            }
            T::Polyline(pl) => {
                if pl.flags & (16 | 64) != 0 {
                    self.ignore("POLYLINE", "polygon/polyface mesh, not cut");
                    return;
                }
                let is_3d = pl.flags & 8 != 0;
                let ocs = if is_3d {
                    Affine::IDENTITY
                } else {
                    self.ocs(&pl.normal, "POLYLINE")
                };
                // Skip spline frame control points (flag 16 on the vertex); keep fitted ones.
                let mut verts: Vec<Vertex> = pl
                    .vertices()
                    .filter(|v| v.flags & 16 == 0)
                    .map(|v| {
                        Vertex::new(
                            v.location.x,
                            v.location.y,
                            if is_3d { 0.0 } else { v.bulge },
                        )
                    })
                    .collect();
                if pl.flags & 1 != 0 && verts.len() > 1 {
                    verts.push(Vertex::line(verts[0].x, verts[0].y));
                }
                self.bulge_path(&layer, &verts, &m.then_after(&ocs));
            }
            T::Spline(s) => self.spline(&layer, s, m),
            T::Ellipse(el) => {
                let c = p2(&el.center);
                let major = Point::new(el.major_axis.x, el.major_axis.y);
                // Minor axis = ratio · (normal × major); the normal's sign mirrors it.
                let sign = if el.normal.z < 0.0 { -1.0 } else { 1.0 };
                let minor = Point::new(-major.y, major.x).scale(el.minor_axis_ratio * sign);
                let t0 = el.start_parameter;
                let mut t1 = el.end_parameter;
                while t1 <= t0 {
                    t1 += 2.0 * PI;
                }
                if t1 - t0 > 2.0 * PI + 1e-12 {
                    t1 = t0 + 2.0 * PI;
                }
                let tol = self.tol_mm / m.max_scale().max(1e-300);
                let pts = flatten_ellipse(c, major, minor, t0, t1, tol);
                self.push_points(&layer, &pts, m);
            }
            T::Insert(ins) => self.insert(ins, m, &layer, depth),
            T::Text(t) => {
                let ocs = self.ocs(&t.normal, "TEXT");
                let mm = m.then_after(&ocs);
                self.text(
                    &layer,
                    &mm,
                    p2(&t.location),
                    t.text_height,
                    t.rotation,
                    &t.value,
                );
                self.ignore("TEXT", "text: kept as marking, never cut");
            }
            T::MText(t) => {
                let ocs = self.ocs(&t.extrusion_direction, "MTEXT");
                let mm = m.then_after(&ocs);
                let angle = if t.x_axis_direction.x != 0.0 || t.x_axis_direction.y != 0.0 {
                    t.x_axis_direction
                        .y
                        .atan2(t.x_axis_direction.x)
                        .to_degrees()
                } else {
                    t.rotation_angle.to_degrees()
                };
                let mut text = t.extended_text.concat();
                text.push_str(&t.text);
                self.text(
                    &layer,
                    &mm,
                    p2(&t.insertion_point),
                    t.initial_text_height,
                    angle,
                    &text,
                );
                self.ignore("MTEXT", "text: kept as marking, never cut");
            }
            T::Seqend(_) | T::Vertex(_) => {}
            other => self.ignore(dxf_name(other), ignore_reason(other)),
        }
    }

    /// Object coordinate system of planar entities: (0,0,-1) mirrors X.
    fn ocs(&mut self, n: &dxf::Vector, kind: &str) -> Affine {
        let len = (n.x * n.x + n.y * n.y + n.z * n.z).sqrt();
        if len == 0.0 || !len.is_finite() {
            return Affine::IDENTITY;
        }
        let z = n.z / len;
        if z.abs() < 1.0 - 1e-9 {
            let w = format!(
                "{kind} with tilted extrusion ({:.3}, {:.3}, {:.3}) read as if drawn in the XY plane",
                n.x, n.y, n.z
            );
            if !self.out.warnings.contains(&w) {
                self.out.warnings.push(w);
            }
        }
        if z < 0.0 {
            Affine::scale(-1.0, 1.0)
        } else {
            Affine::IDENTITY
        }
    }

    fn text(
        &mut self,
        layer: &str,
        m: &Affine,
        at: Point,
        height: f64,
        angle_deg: f64,
        text: &str,
    ) {
        let p = m.apply(at);
        if !p.x.is_finite() || !p.y.is_finite() {
            return;
        }
        self.out.texts.push(RawText {
            layer: layer.to_string(),
            position: p,
            height_mm: height * m.det().abs().sqrt(),
            angle_deg: angle_deg + m.angle_deg(),
            text: text.to_string(),
        });
    }

    fn push(&mut self, layer: &str, verts: Vec<Vertex>) {
        if verts.len() < 2 {
            return;
        }
        if verts
            .iter()
            .any(|v| !(v.x.is_finite() && v.y.is_finite() && v.bulge.is_finite()))
        {
            self.out.warnings.push(format!(
                "entity on layer '{layer}' with non-finite coordinates skipped"
            ));
            return;
        }
        self.out.paths.push(RawPath {
            layer: layer.to_string(),
            verts,
        });
    }

    fn push_points(&mut self, layer: &str, pts: &[Point], m: &Affine) {
        let verts = pts
            .iter()
            .map(|p| {
                let q = m.apply(*p);
                Vertex::line(q.x, q.y)
            })
            .collect();
        self.push(layer, verts);
    }

    /// An open bulge path in local coordinates, transformed by `m`: arcs stay
    /// exact under similarities, otherwise they are flattened first.
    fn bulge_path(&mut self, layer: &str, verts: &[Vertex], m: &Affine) {
        if verts.len() < 2 {
            return;
        }
        if m.is_similarity() {
            let sign = if m.det() < 0.0 { -1.0 } else { 1.0 };
            let out = verts
                .iter()
                .map(|v| {
                    let p = m.apply(v.point());
                    Vertex::new(p.x, p.y, v.bulge * sign)
                })
                .collect();
            self.push(layer, out);
        } else {
            let tol = self.tol_mm / m.max_scale().max(1e-300);
            let mut pts = Vec::new();
            for w in verts.windows(2) {
                let (a, b) = (w[0].point(), w[1].point());
                pts.push(a);
                if let Some(g) = arc_from_bulge(a, b, w[0].bulge) {
                    let n = arc_steps(g.radius, g.sweep, tol);
                    for i in 1..n {
                        pts.push(g.point_at(i as f64 / n as f64));
                    }
                }
            }
            pts.push(verts[verts.len() - 1].point());
            self.push_points(layer, &pts, m);
        }
    }

    fn spline(&mut self, layer: &str, s: &dxf::entities::Spline, m: &Affine) {
        let tol = self.tol_mm / m.max_scale().max(1e-300);
        let pts = if s.control_points.len() >= 2 {
            let control = s.control_points.iter().map(p2).collect();
            match Nurbs::checked(s.degree_of_curve, &s.knot_values, control, &s.weight_values) {
                Some((curve, note)) => {
                    if let Some(n) = note {
                        self.out.warnings.push(format!("layer '{layer}': {n}"));
                    }
                    curve.flatten(tol)
                }
                None => Vec::new(),
            }
        } else if s.fit_points.len() >= 2 {
            let fit: Vec<Point> = s.fit_points.iter().map(p2).collect();
            flatten_fit_points(&fit, tol)
        } else {
            Vec::new()
        };
        if pts.len() < 2 {
            self.ignore("SPLINE", "no usable control or fit points");
            return;
        }
        self.push_points(layer, &pts, m);
    }

    fn insert(&mut self, ins: &Insert, m: &Affine, layer: &str, depth: usize) {
        let attribs = ins.attributes().count();
        for _ in 0..attribs {
            self.ignore("ATTRIB", "block attribute text, not cut");
        }
        if depth >= MAX_BLOCK_DEPTH {
            self.out.depth_exceeded += 1;
            return;
        }
        let Some(block) = self.blocks.get(&ins.name.to_uppercase()).copied() else {
            *self.out.missing_blocks.entry(ins.name.clone()).or_default() += 1;
            return;
        };
        if ins.x_scale_factor == 0.0 || ins.y_scale_factor == 0.0 {
            self.out.warnings.push(format!(
                "INSERT of block '{}' with a zero scale factor skipped",
                ins.name
            ));
            return;
        }
        let ocs = self.ocs(&ins.extrusion_direction, "INSERT");
        let rows = ins.row_count.max(1) as usize;
        let cols = ins.column_count.max(1) as usize;
        let base = Affine::translate(-block.base_point.x, -block.base_point.y);
        let scale = Affine::scale(ins.x_scale_factor, ins.y_scale_factor);
        let rot = Affine::rotate_deg(ins.rotation);
        let loc = Affine::translate(ins.location.x, ins.location.y);
        for r in 0..rows {
            for c in 0..cols {
                self.out.instances += 1;
                if self.out.instances > MAX_INSTANCES {
                    if self.out.instances == MAX_INSTANCES + 1 {
                        self.out.warnings.push(format!(
                            "more than {MAX_INSTANCES} block instances: the rest was not expanded"
                        ));
                    }
                    return;
                }
                let cell =
                    Affine::translate(c as f64 * ins.column_spacing, r as f64 * ins.row_spacing);
                let local = loc
                    .then_after(&rot)
                    .then_after(&cell)
                    .then_after(&scale)
                    .then_after(&base);
                let mm = m.then_after(&ocs).then_after(&local);
                for e in &block.entities {
                    self.entity(e, &mm, Some(layer), depth + 1);
                }
            }
        }
    }
}

/// Bulge vertices of an arc (sweep in degrees, counter-clockwise, ≤ 360),
/// split into pieces of at most 180°.
fn arc_vertices(center: Point, r: f64, start_deg: f64, sweep_deg: f64) -> Vec<Vertex> {
    let pieces = if sweep_deg > 180.0 { 2 } else { 1 };
    let step = sweep_deg / pieces as f64;
    let bulge = (step.to_radians() / 4.0).tan();
    let mut v = Vec::with_capacity(pieces + 1);
    for i in 0..=pieces {
        let ang = (start_deg + step * i as f64).to_radians();
        let p = Point::new(center.x + r * ang.cos(), center.y + r * ang.sin());
        v.push(Vertex::new(p.x, p.y, if i < pieces { bulge } else { 0.0 }));
    }
    if sweep_deg >= 360.0 {
        // Close exactly.
        let first = v[0];
        v[pieces] = Vertex::line(first.x, first.y);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affine_similarity_and_scale() {
        let m = Affine::rotate_deg(30.0).then_after(&Affine::scale(2.0, 2.0));
        assert!(m.is_similarity());
        assert!((m.max_scale() - 2.0).abs() < 1e-12);
        assert!(Affine::scale(-1.0, 1.0).is_similarity());
        assert!(!Affine::scale(2.0, 1.0).is_similarity());
        let p = Affine::translate(1.0, 2.0)
            .then_after(&Affine::rotate_deg(90.0))
            .apply(Point::new(1.0, 0.0));
        assert!((p.x - 1.0).abs() < 1e-12 && (p.y - 3.0).abs() < 1e-12);
    }

    #[test]
    fn full_arc_is_two_halves() {
        let v = arc_vertices(Point::new(0.0, 0.0), 2.0, 0.0, 360.0);
        assert_eq!(v.len(), 3);
        assert!((v[0].bulge - 1.0).abs() < 1e-12);
        assert_eq!(v[0].point(), v[2].point());
    }
}
