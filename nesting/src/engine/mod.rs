//! The nesting engine: constructive placement on the jagua-rs collision engine, parallel search, progress and cancel.
