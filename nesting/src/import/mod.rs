//! DXF import: raw scan, entity flattening, chaining into contours, parts and the import report.
