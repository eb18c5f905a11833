//! Import, one nesting iteration, and validation of the sample job.
//! Run: `cargo bench -p nestwork-benches`; criterion writes its estimates as
//! JSON under `target/criterion/<group>/<bench>/new/estimates.json`.

use criterion::{Criterion, criterion_group, criterion_main};
use nesting::engine::{NestOptions, nest};
use nesting::import::{ImportOptions, import_file};
use nesting::validate::validate_layout;
use nestwork_benches::{sample_files, sample_problem};
use std::hint::black_box;
use std::sync::atomic::AtomicBool;

fn one_iteration(seed: u64) -> NestOptions {
    NestOptions {
        time_limit_s: 600.0,
        seed,
        max_iterations: Some(1),
        threads: None,
        part_in_part: true,
    }
}

fn import(c: &mut Criterion) {
    let files = sample_files();
    c.bench_function("import/samples", |b| {
        b.iter(|| {
            for f in &files {
                black_box(import_file(f, &ImportOptions::default()).unwrap());
            }
        })
    });
}

fn nest_and_validate(c: &mut Criterion) {
    let problem = sample_problem(4);
    let mut group = c.benchmark_group("samples_x4");
    group.sample_size(10);
    group.bench_function("nest_first_layout", |b| {
        b.iter(|| {
            nest(
                &problem,
                &one_iteration(1),
                &AtomicBool::new(false),
                &|_| {},
            )
            .unwrap()
        })
    });
    let layout = nest(
        &problem,
        &one_iteration(1),
        &AtomicBool::new(false),
        &|_| {},
    )
    .unwrap()
    .layout;
    group.bench_function("validate", |b| {
        b.iter(|| assert!(validate_layout(&problem, black_box(&layout)).is_valid()))
    });
    group.finish();
}

criterion_group!(benches, import, nest_and_validate);
criterion_main!(benches);
