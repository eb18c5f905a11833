//! Export of layouts: one DXF per sheet and an SVG preview.
