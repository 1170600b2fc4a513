//! Bar charts as PNG, drawn in memory with plotters. Labels are Cyrillic, so the font ships
//! with the binary (DejaVu Sans, `assets/fonts`): no system font is assumed.

use std::sync::Once;

use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const FAMILY: &str = "sans-serif";

/// At most this many bars; the rest are summed into the last one.
pub const MAX_BARS: usize = 30;

const WIDTH: u32 = 1000;
const ROW: u32 = 34;
const TOP: u32 = 70;
const BOTTOM: u32 = 50;
const LABEL_WIDTH: i32 = 300;

fn font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if register_font(FAMILY, FontStyle::Normal, FONT).is_err() {
            tracing::error!("the embedded chart font cannot be read");
        }
    });
}

/// One bar group: a label and one value per series.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub values: Vec<f64>,
}

const COLORS: [RGBColor; 3] = [RGBColor(47, 84, 150), RGBColor(112, 173, 71), RGBColor(237, 125, 49)];

fn fit(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(chars - 1).collect();
        format!("{cut}…")
    }
}

/// Horizontal bars, one group per row, series side by side, values printed after each bar.
/// `max` fixes the scale (100 for percentages); otherwise the largest value sets it.
pub fn bars(
    title: &str,
    series: &[String],
    bars: &[Bar],
    max: Option<f64>,
    percent: bool,
) -> anyhow::Result<Vec<u8>> {
    font();
    let rows = bars.len().clamp(1, MAX_BARS) as u32;
    let height = TOP + rows * ROW + BOTTOM;
    let mut pixels = vec![255u8; (WIDTH * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (WIDTH, height)).into_drawing_area();
        let draw = |e: Result<(), DrawingAreaErrorKind<_>>| e.map_err(|e| anyhow::anyhow!("chart: {e:?}"));
        draw(root.fill(&WHITE))?;
        let style = |size: i32| (FAMILY, size).into_font().color(&BLACK);
        draw(root.draw(&Text::new(fit(title, 80), (20, 18), style(22))))?;
        let top = max.unwrap_or_else(|| {
            bars.iter().flat_map(|b| b.values.iter().copied()).fold(0.0, f64::max).max(1.0)
        });
        let span = (WIDTH as i32 - LABEL_WIDTH - 90) as f64;
        let slot = ROW as i32 - 8;
        let each = (slot / series.len().max(1) as i32).max(4);
        for (i, bar) in bars.iter().take(MAX_BARS).enumerate() {
            let y = (TOP + i as u32 * ROW) as i32;
            draw(root.draw(&Text::new(fit(&bar.label, 34), (12, y + slot / 2 - 8), style(15))))?;
            for (j, value) in bar.values.iter().enumerate() {
                let y0 = y + j as i32 * each;
                let length = ((value / top).clamp(0.0, 1.0) * span) as i32;
                let color = COLORS[j % COLORS.len()];
                let x1 = LABEL_WIDTH + length.max(1);
                draw(root.draw(&Rectangle::new([(LABEL_WIDTH, y0), (x1, y0 + each - 2)], color.filled())))?;
                let text = if percent { format!("{value:.0} %") } else { format!("{value:.0}") };
                draw(root.draw(&Text::new(text, (x1 + 6, y0 + (each - 2) / 2 - 6), style(12))))?;
            }
        }
        // The legend names each series by its colour.
        let y = (height - BOTTOM + 16) as i32;
        let mut x = LABEL_WIDTH;
        for (j, name) in series.iter().enumerate() {
            let color = COLORS[j % COLORS.len()];
            draw(root.draw(&Rectangle::new([(x, y), (x + 14, y + 14)], color.filled())))?;
            draw(root.draw(&Text::new(name.clone(), (x + 20, y), style(14))))?;
            x += 40 + 9 * name.chars().count() as i32;
        }
        root.present().map_err(|e| anyhow::anyhow!("chart: {e:?}"))?;
    }
    encode(&pixels, WIDTH, height)
}

fn encode(rgb: &[u8], width: u32, height: u32) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(out)
}

/// Keeps the first `MAX_BARS - 1` bars and sums the rest into one labelled `others`.
pub fn capped(mut bars: Vec<Bar>, others: &str) -> Vec<Bar> {
    if bars.len() <= MAX_BARS {
        return bars;
    }
    let rest = bars.split_off(MAX_BARS - 1);
    let width = rest.first().map(|b| b.values.len()).unwrap_or(0);
    let mut sum = vec![0.0; width];
    for bar in &rest {
        for (s, v) in sum.iter_mut().zip(&bar.values) {
            *s += v;
        }
    }
    bars.push(Bar { label: format!("{others} ({})", rest.len()), values: sum });
    bars
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_with_cyrillic_labels_is_a_png() {
        let bars = vec![
            Bar { label: "Анна Петрова".into(), values: vec![12.0, 3.0] },
            Bar { label: "Борис Орлов".into(), values: vec![0.0, 0.0] },
        ];
        let png =
            super::bars("Контакты", &["Все".into(), "Положительные".into()], &bars, None, false).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        // Drawn text makes the picture far from blank: the font was found.
        assert!(png.len() > 2000, "{}", png.len());
    }

    #[test]
    fn long_lists_keep_the_first_bars_and_sum_the_rest() {
        let bars: Vec<Bar> = (0..40).map(|i| Bar { label: format!("{i}"), values: vec![1.0] }).collect();
        let capped = capped(bars, "прочие");
        assert_eq!(capped.len(), MAX_BARS);
        assert_eq!(capped.last().unwrap().values, vec![11.0]);
    }
}
