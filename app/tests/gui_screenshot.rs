//! Starts the real window under Xvfb (scripts/gui-screenshot.sh), nests a
//! small job and checks the screenshot. Skipped, saying so, when Xvfb or
//! ImageMagick is not installed (`.ci/run` installs them).

use std::path::PathBuf;
use std::process::Command;

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn real_window_under_xvfb_nests_and_saves_a_screenshot() {
    if !(have("Xvfb") && have("import") && have("convert")) {
        eprintln!(
            "SKIPPED: Xvfb and ImageMagick are not installed (apt-get install xvfb imagemagick)"
        );
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = tempfile::tempdir().unwrap();
    let samples = root.join("assets/samples").canonicalize().unwrap();
    let job = dir.path().join("job.toml");
    let parts: String = ["bracket", "flange", "gusset", "cover"]
        .iter()
        .map(|p| {
            format!(
                "[[part]]\nfile = \"{}\"\nquantity = 8\n",
                samples.join(format!("{p}.dxf")).display()
            )
        })
        .collect();
    std::fs::write(
        &job,
        format!(
            "time_limit_s = 2.0\nseed = 3\n[[sheet]]\nwidth_mm = 1500\nheight_mm = 1000\n{parts}"
        ),
    )
    .unwrap();
    let shot = dir.path().join("shot.png");
    let out = Command::new(root.join("scripts/gui-screenshot.sh"))
        .arg(&shot)
        .arg(&job)
        .env("NESTWORK_BIN", env!("CARGO_BIN_EXE_nestwork"))
        .env("SCREEN_W", "1280")
        .env("SCREEN_H", "800")
        .env("WAIT_S", "14")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let info = Command::new("convert")
        .arg(&shot)
        .args(["-format", "%w %h %k", "info:"])
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&info.stdout).to_string();
    let v: Vec<u64> = info
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    assert_eq!(v.len(), 3, "{info}");
    assert_eq!((v[0], v[1]), (1280, 800), "{info}");
    // A drawn window has many colours (parts, text); a blank or black screen has one.
    assert!(v[2] > 200, "only {} colours: the window did not draw", v[2]);
}
