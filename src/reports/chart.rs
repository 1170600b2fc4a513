//! Bar charts as PNG, drawn in memory with plotters, made to be read on a phone: 1080 px
//! wide (a phone shows it about 400 px wide, so text is drawn large), a title and the
//! division it covers, a value axis with gridlines above and below the bars. Labels are
//! Cyrillic, so the font ships with the binary (DejaVu Sans, `assets/fonts`): no system font
//! is assumed.

use std::sync::Once;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, register_font};

static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const FAMILY: &str = "sans-serif";

/// At most this many bars; the rest are summed into the last one.
pub const MAX_BARS: usize = 30;

const WIDTH: u32 = 1080;
const MARGIN: i32 = 32;
/// The column of bar labels, left of the axis.
const LABEL_WIDTH: i32 = 330;
/// Room right of the axis's end for the value printed after the longest bar.
const VALUE_ROOM: i32 = 120;
/// One series' bar, and the space between two bars of a group.
const BAR: i32 = 30;
const BAR_GAP: i32 = 4;
/// Space between two groups.
const ROW_GAP: i32 = 26;
/// Where the plot begins: below the title, the division, the legend and the top tick labels.
const PLOT_TOP: i32 = 220;
/// Below the plot: the bottom tick labels.
const BOTTOM: i32 = 56;
/// A count axis reaches at least this far, so one contact is a short bar, not a full one.
const MIN_TOP: f64 = 5.0;

const GRID: RGBColor = RGBColor(215, 219, 226);
const AXIS: RGBColor = RGBColor(120, 126, 136);
const STRIPE: RGBColor = RGBColor(244, 246, 250);
const MUTED: RGBColor = RGBColor(80, 86, 96);

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

/// Where things go, for `rows` groups of `series` bars each.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Layout {
    height: u32,
    row: i32,
    /// The axis's zero and its length in pixels.
    x0: i32,
    span: i32,
}

impl Layout {
    fn new(rows: usize, series: usize) -> Self {
        let series = series.max(1) as i32;
        let row = series * BAR + (series - 1) * BAR_GAP + ROW_GAP;
        let rows = rows.clamp(1, MAX_BARS) as i32;
        let height = (PLOT_TOP + rows * row + BOTTOM) as u32;
        let x0 = MARGIN + LABEL_WIDTH;
        Self { height, row, x0, span: WIDTH as i32 - MARGIN - VALUE_ROOM - x0 }
    }

    fn plot_bottom(&self) -> i32 {
        self.height as i32 - BOTTOM
    }

    /// The x of `value` on an axis that ends at `top`.
    fn x(&self, value: f64, top: f64) -> i32 {
        self.x0 + ((value / top).clamp(0.0, 1.0) * f64::from(self.span)).round() as i32
    }
}

/// The axis's end and the step between gridlines: 1, 2 or 5 times a power of ten, about five
/// steps; never below `MIN_TOP`.
fn scale(largest: f64) -> (f64, f64) {
    let largest = largest.max(MIN_TOP);
    let raw = largest / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude)
        .max(1.0);
    ((largest / step).ceil() * step, step)
}

/// Horizontal bars, one group per row, series one under another, each value printed after its
/// bar, on a value axis with gridlines. `max` fixes the scale (100 for percentages); otherwise
/// the largest value sets it. `subtitle` says what the chart covers (the division).
pub fn bars(
    title: &str,
    subtitle: &str,
    series: &[String],
    bars: &[Bar],
    max: Option<f64>,
    percent: bool,
) -> anyhow::Result<Vec<u8>> {
    font();
    let layout = Layout::new(bars.len(), series.len());
    let height = layout.height;
    let mut pixels = vec![255u8; (WIDTH * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (WIDTH, height)).into_drawing_area();
        let draw = |e: Result<(), DrawingAreaErrorKind<_>>| e.map_err(|e| anyhow::anyhow!("chart: {e:?}"));
        draw(root.fill(&WHITE))?;
        let style = |size: i32, color: &RGBColor| (FAMILY, size).into_font().color(color);
        let left_middle = Pos::new(HPos::Left, VPos::Center);
        // Cuts `text` with an ellipsis until it fits `width` pixels in `font`.
        let fit = |text: &str, font: &TextStyle, width: i32| -> String {
            let fits =
                |t: &str| root.estimate_text_size(t, font).map(|(w, _)| w as i32 <= width).unwrap_or(true);
            if fits(text) {
                return text.to_owned();
            }
            let mut chars: Vec<char> = text.chars().collect();
            while !chars.is_empty() {
                chars.pop();
                let cut = format!("{}…", chars.iter().collect::<String>().trim_end());
                if fits(&cut) {
                    return cut;
                }
            }
            "…".to_owned()
        };
        let full = WIDTH as i32 - 2 * MARGIN;
        let title_style = style(40, &BLACK);
        draw(root.draw(&Text::new(fit(title, &title_style, full), (MARGIN, 22), title_style.clone())))?;
        let subtitle_style = style(30, &MUTED);
        draw(root.draw(&Text::new(
            fit(subtitle, &subtitle_style, full),
            (MARGIN, 78),
            subtitle_style.clone(),
        )))?;

        // The legend names each series by its colour.
        let legend = style(28, &BLACK);
        let mut x = MARGIN;
        for (j, name) in series.iter().enumerate() {
            let color = COLORS[j % COLORS.len()];
            draw(root.draw(&Rectangle::new([(x, 128), (x + 24, 152)], color.filled())))?;
            let (w, _) = root.estimate_text_size(name, &legend).unwrap_or((0, 0));
            draw(root.draw(&Text::new(name.clone(), (x + 34, 140), legend.pos(left_middle))))?;
            x += 34 + w as i32 + 36;
        }

        // The value axis: gridlines through every row, tick labels above and below.
        let largest = bars.iter().flat_map(|b| b.values.iter().copied()).fold(0.0, f64::max);
        let (top, step) = scale(max.unwrap_or(largest));
        let unit = if percent { " %" } else { "" };
        let bottom = layout.plot_bottom();
        // Every other row striped, so a row's label and bars read as one on a small screen.
        for i in (1..bars.len().min(MAX_BARS)).step_by(2) {
            let y = PLOT_TOP + i as i32 * layout.row;
            let stripe = [(MARGIN, y), (WIDTH as i32 - MARGIN, y + layout.row)];
            draw(root.draw(&Rectangle::new(stripe, STRIPE.filled())))?;
        }
        let ticks = style(24, &MUTED);
        let mut tick = 0.0;
        while tick <= top + step / 2.0 {
            let x = layout.x(tick, top);
            let color = if tick == 0.0 { AXIS } else { GRID };
            draw(
                root.draw(&PathElement::new(vec![(x, PLOT_TOP - 6), (x, bottom + 6)], color.stroke_width(2))),
            )?;
            let label = format!("{tick:.0}{unit}");
            draw(root.draw(&Text::new(
                label.clone(),
                (x, PLOT_TOP - 12),
                ticks.pos(Pos::new(HPos::Center, VPos::Bottom)),
            )))?;
            draw(root.draw(&Text::new(
                label,
                (x, bottom + 12),
                ticks.pos(Pos::new(HPos::Center, VPos::Top)),
            )))?;
            tick += step;
        }

        let label_style = style(28, &BLACK);
        let value_style = style(26, &BLACK);
        for (i, bar) in bars.iter().take(MAX_BARS).enumerate() {
            let y = PLOT_TOP + i as i32 * layout.row + ROW_GAP / 2;
            let block = layout.row - ROW_GAP;
            let label = fit(&bar.label, &label_style, LABEL_WIDTH - 16);
            draw(root.draw(&Text::new(label, (MARGIN, y + block / 2), label_style.pos(left_middle))))?;
            for (j, value) in bar.values.iter().enumerate() {
                let y0 = y + j as i32 * (BAR + BAR_GAP);
                let x1 = layout.x(*value, top);
                let color = COLORS[j % COLORS.len()];
                if x1 > layout.x0 {
                    draw(root.draw(&Rectangle::new([(layout.x0, y0), (x1, y0 + BAR)], color.filled())))?;
                }
                let text = format!("{value:.0}{unit}");
                draw(root.draw(&Text::new(text, (x1 + 8, y0 + BAR / 2), value_style.pos(left_middle))))?;
            }
        }
        root.present().map_err(|e| anyhow::anyhow!("chart: {e:?}"))?;
    }
    encode(&pixels, WIDTH, height, &format!("{title} — {subtitle}"))
}

/// The picture as PNG, with what it shows as its `Title` (file viewers and archives show it).
fn encode(rgb: &[u8], width: u32, height: u32, title: &str) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.add_itxt_chunk("Title".into(), title.to_owned())?;
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
        let series = ["Все".into(), "Положительные".into()];
        let png = super::bars("Контакты", "Подразделение: Москва", &series, &bars, None, false).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        // Drawn text makes the picture far from blank: the font was found.
        assert!(png.len() > 2000, "{}", png.len());
    }

    /// The picture's width, height and RGB pixels.
    fn decode(png: &[u8]) -> (u32, u32, Vec<u8>) {
        let mut reader = png::Decoder::new(std::io::Cursor::new(png)).read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        (info.width, info.height, pixels)
    }

    fn pixel(pixels: &[u8], width: u32, x: i32, y: i32) -> RGBColor {
        let i = ((y as u32 * width + x as u32) * 3) as usize;
        RGBColor(pixels[i], pixels[i + 1], pixels[i + 2])
    }

    #[test]
    fn the_axis_ends_at_a_round_number_and_never_below_five() {
        assert_eq!(scale(0.0), (5.0, 1.0));
        assert_eq!(scale(1.0), (5.0, 1.0));
        assert_eq!(scale(7.0), (8.0, 2.0));
        assert_eq!(scale(12.0), (15.0, 5.0));
        assert_eq!(scale(100.0), (100.0, 20.0));
        assert_eq!(scale(1234.0), (1500.0, 500.0));
    }

    #[test]
    fn one_contact_is_a_short_bar_on_a_scale_with_gridlines() {
        let bars = vec![Bar { label: "Анна Петрова".into(), values: vec![1.0] }];
        let png =
            super::bars("Контакты", "Подразделение: Москва", &["Все".into()], &bars, None, false).unwrap();
        let (width, height, pixels) = decode(&png);
        // Large enough to be read on a phone.
        assert!(width > 1000 && height > 220, "{width}×{height}");
        let layout = Layout::new(1, 1);
        assert_eq!(height, layout.height);
        let y = PLOT_TOP + ROW_GAP / 2 + BAR / 2;
        let bar = (0..width as i32).filter(|x| pixel(&pixels, width, *x, y) == COLORS[0]).count() as i32;
        // One of five: a fifth of the axis, not its whole length.
        assert!((bar - layout.span / 5).abs() <= 2, "{bar} of {}", layout.span);
        // Gridlines at 1 … 5 run through the row, in the space below the bar.
        let below = layout.plot_bottom() - 3;
        for tick in 1..=5 {
            let x = layout.x(f64::from(tick), 5.0);
            assert_eq!(pixel(&pixels, width, x, below), GRID, "gridline {tick}");
        }
        assert_eq!(pixel(&pixels, width, layout.x0, below), AXIS, "the zero axis");
    }

    #[test]
    fn long_lists_keep_the_first_bars_and_sum_the_rest() {
        let bars: Vec<Bar> = (0..40).map(|i| Bar { label: format!("{i}"), values: vec![1.0] }).collect();
        let capped = capped(bars, "прочие");
        assert_eq!(capped.len(), MAX_BARS);
        assert_eq!(capped.last().unwrap().values, vec![11.0]);
    }
}
