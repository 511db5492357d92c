package main

// The targets hil soak can run on besides the bench's own (pico, jumper):
// the fixtures register themselves, so a soak can be tried without a Pico.
import (
	_ "github.com/picohil/picohil/fixtures/micropython"
	_ "github.com/picohil/picohil/fixtures/rp2040"
	_ "github.com/picohil/picohil/fixtures/virtual"
)
