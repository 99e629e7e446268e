module workvettest

go 1.26.0

require github.com/stellarwork/stellarwork v0.0.0

require (
	github.com/benbjohnson/clock v1.3.5 // indirect
	go.uber.org/multierr v1.10.0 // indirect
	go.uber.org/zap v1.28.0 // indirect
)

replace github.com/stellarwork/stellarwork => ../../../..
