package historywork

import (
	"fmt"

	"go.uber.org/zap"

	"github.com/stellarwork/stellarwork/basicwork"
	"github.com/stellarwork/stellarwork/process"
)

// GzipFileWork compresses a file with gzip: the port of stellar-core's
// GzipFileWork. Its name is "gzip-file " followed by the file, and it is
// retried basicwork.RetryALot times. It runs "gzip FILE", which replaces
// FILE with FILE.gz, or, keeping the original, "gzip -c FILE" with its
// output going to FILE.gz. A reset (before a retry) removes FILE.gz.
//
// Unlike the C++, whose onReset skips RunCommandWork's, a reset also
// forgets the previous run, so that a retry runs gzip again (see
// GunzipFileWork).
type GzipFileWork struct {
	process.RunCommandWork
	filenameNoGz string
	keepExisting bool
	fsLog        *zap.Logger
}

// NewGzipFileWork returns the work that gzips filenameNoGz, keeping it if
// keepExisting. It panics, as the C++ throws "filename ends in .gz", when
// filenameNoGz ends in .gz, and where RunCommandWork.Init panics.
func NewGzipFileWork(app process.Application, filenameNoGz string, keepExisting bool) *GzipFileWork {
	name := "gzip-file " + filenameNoGz
	if hasGzipSuffix(filenameNoGz) {
		panic(fmt.Sprintf("historywork: %s: filename ends in .gz", name))
	}
	w := &GzipFileWork{filenameNoGz: filenameNoGz, keepExisting: keepExisting}
	w.Init(app, name, basicwork.RetryALot, w)
	w.fsLog = app.Logger().Named("Fs")
	return w
}

// OnReset removes the compressed file, then resets the RunCommandWork.
func (w *GzipFileWork) OnReset() {
	removeWithLog(w.fsLog, w.filenameNoGz+".gz")
	w.RunCommandWork.OnReset()
}

// GetCommand returns the gzip command.
func (w *GzipFileWork) GetCommand() process.CommandInfo {
	cmdLine := "gzip "
	var outFile string
	if w.keepExisting {
		cmdLine += "-c "
		outFile = w.filenameNoGz + ".gz"
	}
	cmdLine += w.filenameNoGz
	return process.CommandInfo{Command: cmdLine, OutFile: outFile}
}
