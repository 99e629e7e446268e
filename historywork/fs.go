package historywork

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// hexStr is the eight hex digits of a checkpoint (the C++ fs::hexStr).
func hexStr(checkpoint uint32) string { return fmt.Sprintf("%08x", checkpoint) }

// hexDir is "aa/bb/cc" for a hex string starting "aabbcc" (fs::hexDir). It
// panics, as the C++ asserts, on fewer than six hex digits.
func hexDir(hex string) string {
	if len(hex) < 6 {
		panic(fmt.Sprintf("historywork: hex string %q shorter than 6 digits", hex))
	}
	for _, c := range hex[:6] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			panic(fmt.Sprintf("historywork: hex string %q is not hex", hex))
		}
	}
	return hex[0:2] + "/" + hex[2:4] + "/" + hex[4:6]
}

// baseName is "type-hex.suffix" (fs::baseName).
func baseName(typ, hex, suffix string) string { return typ + "-" + hex + "." + suffix }

// remoteDir is "type/aa/bb/cc" (fs::remoteDir).
func remoteDir(typ, hex string) string { return typ + "/" + hexDir(hex) }

// remoteName is "type/aa/bb/cc/type-hex.suffix" (fs::remoteName).
func remoteName(typ, hex, suffix string) string {
	return remoteDir(typ, hex) + "/" + baseName(typ, hex, suffix)
}

// hasGzipSuffix reports whether filename's extension is .gz, the test of
// fs::checkGzipSuffix and fs::checkNoGzipSuffix.
func hasGzipSuffix(filename string) bool { return filepath.Ext(filename) == ".gz" }

// removeWithLog removes path, and logs a warning on the Fs logger if that
// fails for another reason than the file's absence (fs::removeWithLog with
// its default, ignoreEnoent). It reports whether the file is gone.
func removeWithLog(log *zap.Logger, path string) bool {
	err := os.Remove(path)
	if err == nil || errors.Is(err, os.ErrNotExist) {
		return true
	}
	if log.Core().Enabled(zapcore.WarnLevel) {
		msg := err.Error()
		var errno syscall.Errno
		if errors.As(err, &errno) {
			msg = strerror(errno)
		}
		log.Warn(fmt.Sprintf("Failed to remove file %s: %s", path, msg))
	}
	return false
}

// exists reports whether path exists (fs::exists).
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// strerror is the C library's text for errno: Go's, capitalised as glibc's
// ("No such file or directory").
func strerror(errno syscall.Errno) string {
	s := errno.Error()
	if s != "" && 'a' <= s[0] && s[0] <= 'z' {
		s = string(s[0]-'a'+'A') + s[1:]
	}
	return s
}
