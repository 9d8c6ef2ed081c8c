// Text -> image, judged by a classifier the model did not train (image_judge.h): for each
// Fashion-MNIST class name, drawings sampled as `tessera generate --output image` samples
// them; the share the judge labels with the prompted class, and the Fréchet distance between
// the drawings' judge features and real test images'. Two references frame the numbers:
// real test images against other real test images (the distance sampling alone leaves), and
// the image codec's reconstructions of real images (the best any model drawing through this
// codec can do). All of it at several guidance scales.
#include <filesystem>

#include "codecs/image/image_codec.h"
#include "core/progress.h"
#include "data/image_set.h"
#include "eval/eval_tasks.h"
#include "eval/frechet.h"
#include "eval/image_judge.h"
#include "viz/image_grid.h"
#include "viz/line_chart.h"

namespace tessera::eval {

namespace {

namespace fs = std::filesystem;
using codecs::Modality;

struct Judged {
  double accuracy = 0, frechet = 0;
  int64_t images = 0;
};

// The judge's verdict on `images` whose intended labels are `labels`, against the reference
// Gaussian of real features.
Judged judge_images(const ImageJudge& judge, const std::vector<Image>& images, const std::vector<int64_t>& labels,
                    const Gaussian& reference) {
  const std::vector<int64_t> predicted = judge.classify(images);
  int64_t right = 0;
  for (size_t i = 0; i < images.size(); ++i) right += predicted[i] == labels[i];
  return {static_cast<double>(right) / static_cast<double>(images.size()),
          frechet_distance(fit_gaussian(judge.features(images), "drawn images' features"), reference),
          static_cast<int64_t>(images.size())};
}

// The codec's encode + decode of each image (fitted to the codec's input first).
std::vector<Image> reconstruct(const codecs::ImageCodec& codec, const std::vector<Image>& images) {
  const codecs::ImageCodecConfig& c = codec.config();
  std::vector<Image> out;
  for (size_t begin = 0; begin < images.size(); begin += 64) {
    const size_t end = std::min(images.size(), begin + 64);
    const auto B = static_cast<int64_t>(end - begin);
    const Tensor batch = fitted_batch(std::span(images).subspan(begin, end - begin), c.height, c.width, c.channels);
    const Tensor decoded = codec.decode(codec.encode(batch));
    const int64_t per_image = c.channels * c.height * c.width;
    for (int64_t b = 0; b < B; ++b) {
      Tensor chw = Tensor::empty({c.channels, c.height, c.width});
      std::copy_n(decoded.data<float>() + b * per_image, per_image, chw.data<float>());
      out.push_back(tensor_to_image(chw));
    }
  }
  return out;
}

struct Drawings {
  std::vector<Image> images;
  std::vector<int64_t> labels;
  std::vector<std::vector<Image>> by_class;
};

Drawings draw(EvalRun& run, const std::vector<std::string>& classes, int64_t per_class, float guidance,
              ProgressBar& bar, int64_t& done) {
  Drawings d;
  d.by_class.resize(classes.size());
  for (size_t c = 0; c < classes.size(); ++c) {
    model::GenerationRequest r;
    r.prompt.push_back(model::PromptPart::of_text(classes[c]));
    r.output = model::OutputKind::image;
    r.sampling = model::ModalitySampling::all({.temperature = 1.0f});
    r.guidance = guidance;
    r.samples = per_class;
    r.seed = run.options.seed + 1000 * c;
    for (model::Sample& s : run.generator.generate(r).samples) {
      for (model::OutputPart& part : s.parts) {
        if (part.modality != Modality::image) continue;
        d.images.push_back(part.image);
        d.labels.push_back(static_cast<int64_t>(c));
        d.by_class[c].push_back(std::move(part.image));
      }
    }
    bar.update(done += per_class);
  }
  return d;
}

nlohmann::json as_json(const Judged& j) {
  return {{"images", j.images}, {"judge_accuracy", j.accuracy}, {"frechet", j.frechet}};
}

std::vector<std::vector<Image>> first_of_each(const Drawings& d, size_t n) {
  std::vector<std::vector<Image>> rows;
  for (const auto& row : d.by_class) rows.emplace_back(row.begin(), row.begin() + std::min(n, row.size()));
  return rows;
}

}  // namespace

void evaluate_drawings(EvalRun& run) {
  const ModelEvalOptions& o = run.options;
  if (!run.model.codecs.has(Modality::image)) return run.skip("text -> image", "the model has no image codec");
  const std::string judge_path =
      o.image_judge.empty() ? (fs::path(o.fashion) / "judge" / "judge.safetensors").string() : o.image_judge;
  if (!fs::exists(judge_path)) {
    return run.skip("text -> image", "no image judge at '" + judge_path +
                                         "' (train one: tessera train --config recipes/judge-fashion.json --out " +
                                         (fs::path(o.fashion) / "judge").string() + ")");
  }
  if (!fs::exists(data::image_set_path(o.fashion, "test"))) {
    return run.skip("text -> image", "no Fashion-MNIST test split at " + o.fashion);
  }
  const ImageJudge judge = ImageJudge::load(judge_path);
  const std::vector<std::string>& classes = judge.classes();
  const data::ImageSet set = data::ImageSet::load(data::image_set_path(o.fashion, "test"));

  // Real test images: half the reference, half compared with it (as real and as reconstructed).
  std::vector<Image> reference, held;
  std::vector<int64_t> held_labels;
  const std::vector<int64_t> indices = spread_indices(set.size(), 2 * o.real_images);
  for (size_t i = 0; i < indices.size(); ++i) {
    if (i % 2 == 0) {
      reference.push_back(set.image(indices[i]));
    } else {
      held.push_back(set.image(indices[i]));
      const std::string& caption = set.caption(indices[i]);
      held_labels.push_back(std::find(classes.begin(), classes.end(), caption) - classes.begin());
    }
  }
  const Gaussian real = fit_gaussian(judge.features(reference), "real images' features");
  const Judged real_judged = judge_images(judge, held, held_labels, real);
  const auto& codec = run.model.codecs.get<codecs::ImageCodec>(Modality::image);
  const std::vector<Image> rebuilt = reconstruct(codec, held);
  const Judged ceiling = judge_images(judge, rebuilt, held_labels, real);

  std::vector<float> scales = o.guidance_scales;
  if (std::find(scales.begin(), scales.end(), o.guidance) == scales.end()) scales.push_back(o.guidance);
  std::sort(scales.begin(), scales.end());
  const auto n_classes = static_cast<int64_t>(classes.size());
  int64_t done = 0;
  ProgressBar bar("drawings", n_classes * (o.draws_per_class + o.sweep_draws_per_class * (int64_t(scales.size()) - 1)),
                  run.log);
  const Drawings headline = draw(run, classes, o.draws_per_class, o.guidance, bar, done);
  const Judged headline_judged = judge_images(judge, headline.images, headline.labels, real);
  std::vector<std::pair<float, Judged>> sweep;
  Drawings unguided;
  for (const float scale : scales) {
    if (scale == o.guidance) {
      sweep.emplace_back(scale, headline_judged);
      continue;
    }
    Drawings d = draw(run, classes, o.sweep_draws_per_class, scale, bar, done);
    sweep.emplace_back(scale, judge_images(judge, d.images, d.labels, real));
    if (scale == 0) unguided = std::move(d);
  }
  bar.finish();

  nlohmann::json& m = run.metrics["text_to_image"];
  m["judge"] = judge_path;
  m["real"] = as_json(real_judged);
  m["codec_ceiling"] = as_json(ceiling);
  m["headline"] = as_json(headline_judged);
  m["headline"]["guidance"] = o.guidance;
  for (const auto& [scale, j] : sweep) {
    nlohmann::json point = as_json(j);
    point["guidance"] = scale;
    m["sweep"].push_back(point);
  }

  run.report.heading("Text -> image");
  run.report.paragraph(
      "A judge CNN trained on real Fashion-MNIST images only labels the drawings; the Fréchet distance compares the "
      "judge's penultimate features of " +
      std::to_string(reference.size()) +
      " real test images with those of each set below (not FID: the features are the judge's, not Inception's, "
      "and sets of a few hundred images bias it upward). Prompts are the class names; image temperature 1.");
  std::vector<std::vector<std::string>> rows = {
      {"real test images (the judge itself)", std::to_string(real_judged.images), percent(real_judged.accuracy),
       decimal(real_judged.frechet, 2)},
      {"codec reconstructions of them (the ceiling)", std::to_string(ceiling.images), percent(ceiling.accuracy),
       decimal(ceiling.frechet, 2)}};
  for (const auto& [scale, j] : sweep) {
    rows.push_back({"drawings, guidance " + decimal(scale, 1), std::to_string(j.images), percent(j.accuracy),
                    decimal(j.frechet, 2)});
  }
  run.report.table({"images", "count", "judge: prompted class", "Fréchet distance"}, rows);
  // The pictures are also written on their own, for documents and quick looks.
  const auto keep = [&](const Image& image, const std::string& name, const std::string& caption, int scale) {
    write_png((fs::path(run.out_dir) / name).string(), image);
    run.report.image(image, caption, scale);
  };
  if (!unguided.images.empty()) {
    keep(viz::labelled_grid(first_of_each(unguided, 8), classes, 2), "drawings-unguided.png",
         "drawings without guidance", 1);
  }
  keep(viz::labelled_grid(first_of_each(headline, 8), classes, 2), "drawings-guided.png",
       "drawings at guidance " + decimal(o.guidance, 1), 1);
  if (sweep.size() > 1) {
    viz::Series accuracy{"judge accuracy (%)", {}, {31, 119, 180}, true};
    viz::Series distance{"Frechet distance", {}, {214, 39, 40}, true};
    for (const auto& [scale, j] : sweep) {
      accuracy.points.emplace_back(scale, 100 * j.accuracy);
      distance.points.emplace_back(scale, j.frechet);
    }
    keep(viz::draw_line_chart({accuracy}, {.width = 520,
                                           .height = 320,
                                           .title = "prompted class vs guidance",
                                           .x_label = "guidance scale",
                                           .y_label = "%"}),
         "guidance-accuracy.png", "judge accuracy against the guidance scale", 1);
    keep(viz::draw_line_chart({distance}, {.width = 520,
                                           .height = 320,
                                           .title = "Frechet distance vs guidance",
                                           .x_label = "guidance scale",
                                           .y_label = "distance"}),
         "guidance-frechet.png", "Fréchet distance to real test images against the guidance scale", 1);
  }
}

}  // namespace tessera::eval
