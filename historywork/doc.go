// Package historywork ports stellar-core's history file works
// (src/historywork): the works that move checkpoint files between a
// history archive and the local disk by running commands.
//
// GetRemoteFileWork, PutRemoteFileWork and MakeRemoteDirWork run an
// archive's get, put and mkdir command templates (HistoryArchive, with the
// {0} and {1} placeholders of stellar-core's configuration), so that `cp`,
// `curl` or a cloud CLI all work. GzipFileWork and GunzipFileWork run gzip.
// GetAndUnzipRemoteFileWork downloads one file to a .gz.tmp, renames it to
// .gz, and gunzips it; BatchDownloadWork does that for a list of files, a
// bounded number at a time. Every one is a process.RunCommandWork or a work
// with such children, so the commands are real child processes of the
// application's process manager.
//
// The works take an Application: a process.Application that also answers
// HistoryArchiveManager and HistoryMetrics, as the C++ works reach
// mApp.getHistoryArchiveManager() and their meters. App is one, built on a
// process.App; a port's own application embeds it.
//
// Retry budgets, work names, status strings and log lines are the C++ ones.
// The deliberate differences (docs/PORTING.md) are: a command template is
// checked when the archive is made instead of when it is first used, a get
// or put template must use both its arguments, and a FileTransferInfo
// refuses a local path with whitespace; GzipFileWork and
// GunzipFileWork reset their RunCommandWork on a retry, so that a retry runs
// gzip again (the C++ skips that reset, and a retry returns the previous
// result without running anything); and BatchDownloadWork walks a list of
// files instead of a checkpoint range.
package historywork
