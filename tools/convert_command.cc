#include "tools/convert_command.h"

#include <cstdio>
#include <memory>
#include <string>

#include "parallel/bzip2_decompressor.h"
#include "parallel/ordered_unit_sink.h"
#include "parallel/parallel_cluster_compressor.h"
#include "reference/formats/convert.h"
#include "tools/command.h"
#include "tools/file_blob.h"
#include "tools/progress.h"

namespace imagelib::cli {
namespace {

struct ConvertArgs {
  std::string input;
  std::string output;
  std::string output_format;
  bool compress = false;
  std::uint32_t cluster_bits = 16;
  bool progress = false;
  bool quiet = false;
};

int run_convert(const ConvertArgs& args) {
  if (args.compress && args.output_format != "qcow2") return fail("-c needs -O qcow2");
  auto file = FileSource::open(args.input);
  if (!file.ok()) return fail(file.status().message());
  ProgressBar bar("convert", file->size(), args.progress && progress_wanted(args.quiet));
  ProgressSource in(std::make_shared<FileSource>(std::move(*file)), bar);
  auto out = FileBlob::create(args.output);
  if (!out.ok()) return fail(out.status().message());
  const DecodeLimits limits;
  // Compressed clusters and grains decode on every core; a conversion needs
  // no SHA-256 of the disk.
  parallel::ThreadPool pool(parallel::ThreadPool::default_threads());
  const parallel::ParallelUnits units(pool);
  // So do bzip2 blocks and xz blocks, and gzip and zstd decode ahead of the writes.
  const parallel::ParallelDecompressors decompressors(pool);
  const DecodeOptions decode_options{
      .digests = false, .units = &units, .decompressors = &decompressors};
  // qcow2 -c deflates its clusters on every core too.
  parallel::ParallelClusterCompressor compressor(pool);
  auto written = args.output_format == "raw"
                     ? write_raw_file(in, *out, limits, decode_options)
                     : write_qcow2_file(in, *out,
                                        Qcow2WriteOptions{.cluster_bits = args.cluster_bits,
                                                          .compress = args.compress,
                                                          .compressor = &compressor},
                                        limits, decode_options);
  if (!written.ok()) {
    std::remove(args.output.c_str());
    return fail(written.status().message());
  }
  bar.update(in.size());
  return 0;
}

}  // namespace

void add_convert_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand(
      "convert", "Decode an image file (any accepted format) into a raw disk or a qcow2");
  auto args = std::make_shared<ConvertArgs>();
  command->add_option("input", args->input, "The image to read")->required();
  command->add_option("output", args->output, "The file to write")->required();
  command->add_option("-O", args->output_format, "Output format: raw or qcow2")
      ->required()
      ->check(CLI::IsMember({"raw", "qcow2"}));
  command->add_flag("-c", args->compress, "Compress qcow2 clusters (raw deflate)");
  command->add_option("--cluster-bits", args->cluster_bits, "qcow2 cluster size as a power of two")
      ->check(CLI::Range(9, 21))
      ->capture_default_str();
  command->add_flag("-p", args->progress, "Show a progress bar (when standard error is a terminal)");
  command->add_flag("-q", args->quiet, "Quiet: no progress bar");
  command->callback([args, &exit_code] { exit_code = run_convert(*args); });
}

}  // namespace imagelib::cli
