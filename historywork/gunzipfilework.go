package historywork

import (
	"fmt"
	"strings"

	"go.uber.org/zap"

	"github.com/stellarwork/stellarwork/process"
)

// GunzipFileWork decompresses a .gz file with gzip: the port of
// stellar-core's GunzipFileWork. Its name is "gunzip-file " followed by the
// file. It runs "gzip -d FILE.gz", which replaces FILE.gz with FILE, or,
// keeping the original, "gzip -d -c FILE.gz" with its output going to FILE
// (through the process manager's temporary file, so that FILE appears
// whole or not at all). A reset (before a retry) removes FILE.
//
// A deliberate difference: the C++ onReset does not call RunCommandWork's,
// so a retried (or restarted) GunzipFileWork keeps the previous run's
// result, and its retry returns that failure at once without running gzip
// again. Here a reset also resets the RunCommandWork, so every retry runs
// gzip again (TestGunzipRetryRunsGzipAgain). The C++ only builds it with
// RetryNever, where the two agree.
type GunzipFileWork struct {
	process.RunCommandWork
	filenameGz   string
	keepExisting bool
	fsLog        *zap.Logger
}

// NewGunzipFileWork returns the work that gunzips filenameGz, keeping it if
// keepExisting, with maxRetries retries (the C++ default is
// basicwork.RetryNever). It panics, as the C++ throws "filename does not
// end in .gz", when filenameGz does not end in .gz, and where
// RunCommandWork.Init panics.
func NewGunzipFileWork(app process.Application, filenameGz string, keepExisting bool, maxRetries int) *GunzipFileWork {
	name := "gunzip-file " + filenameGz
	if !hasGzipSuffix(filenameGz) {
		panic(fmt.Sprintf("historywork: %s: filename does not end in .gz", name))
	}
	w := &GunzipFileWork{filenameGz: filenameGz, keepExisting: keepExisting}
	w.Init(app, name, maxRetries, w)
	w.fsLog = app.Logger().Named("Fs")
	return w
}

// GetCommand returns the gunzip command.
func (w *GunzipFileWork) GetCommand() process.CommandInfo {
	cmdLine := "gzip -d "
	var outFile string
	if w.keepExisting {
		cmdLine += "-c "
		outFile = strings.TrimSuffix(w.filenameGz, ".gz")
	}
	cmdLine += w.filenameGz
	return process.CommandInfo{Command: cmdLine, OutFile: outFile}
}

// OnReset removes the decompressed file, then resets the RunCommandWork
// (which the C++ does not: see the type's doc).
func (w *GunzipFileWork) OnReset() {
	removeWithLog(w.fsLog, strings.TrimSuffix(w.filenameGz, ".gz"))
	w.RunCommandWork.OnReset()
}
