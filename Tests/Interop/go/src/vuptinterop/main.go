// Command vuptinterop checks Vupt ledger artifacts with Go's golang.org/x/mod/sumdb
// note and tlog packages, an implementation of C2SP signed notes and RFC 6962 proofs
// that Vupt shares no code with.
//
//	vuptinterop note VKEY CHECKPOINT_FILE
//	vuptinterop inclusion VKEY PROOF_FILE
//	vuptinterop consistency VKEY OLD_CHECKPOINT_FILE PROOF_FILE
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
}

// openCheckpoint verifies a signed note with the verifier key and parses its text.
func openCheckpoint(vkey string, signed []byte) (checkpoint, error) {
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return checkpoint{}, fmt.Errorf("verifier key: %v", err)
	}
	opened, err := note.Open(signed, note.VerifierList(verifier))
	if err != nil {
		return checkpoint{}, fmt.Errorf("note.Open: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(opened.Text, "\n"), "\n")
	if len(lines) != 3 {
		return checkpoint{}, fmt.Errorf("checkpoint text has %d lines", len(lines))
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		return checkpoint{}, err
	}
	root, err := tlog.ParseHash(lines[2])
	if err != nil {
		return checkpoint{}, err
	}
	return checkpoint{origin: lines[0], size: size, root: root}, nil
}

func decodeHashes(encoded []string) ([]tlog.Hash, error) {
	hashes := make([]tlog.Hash, len(encoded))
	for i, text := range encoded {
		hash, err := tlog.ParseHash(text)
		if err != nil {
			return nil, err
		}
		hashes[i] = hash
	}
	return hashes, nil
}

func run(args []string) error {
	if len(args) < 3 {
		return fmt.Errorf("usage: vuptinterop note|inclusion|consistency VKEY FILE...")
	}
	vkey := args[1]
	switch args[0] {
	case "note":
		signed, err := os.ReadFile(args[2])
		if err != nil {
			return err
		}
		cp, err := openCheckpoint(vkey, signed)
		if err != nil {
			return err
		}
		fmt.Printf("ok %s %d\n", cp.origin, cp.size)
	case "inclusion":
		data, err := os.ReadFile(args[2])
		if err != nil {
			return err
		}
		var proof struct {
			LeafIndex  int64    `json:"leafIndex"`
			TreeSize   int64    `json:"treeSize"`
			Entry      string   `json:"entry"`
			Hashes     []string `json:"hashes"`
			Checkpoint string   `json:"checkpoint"`
		}
		if err := json.Unmarshal(data, &proof); err != nil {
			return err
		}
		cp, err := openCheckpoint(vkey, []byte(proof.Checkpoint))
		if err != nil {
			return err
		}
		entry, err := base64.StdEncoding.DecodeString(proof.Entry)
		if err != nil {
			return err
		}
		hashes, err := decodeHashes(proof.Hashes)
		if err != nil {
			return err
		}
		if err := tlog.CheckRecord(tlog.RecordProof(hashes), cp.size, cp.root, proof.LeafIndex, tlog.RecordHash(entry)); err != nil {
			return fmt.Errorf("tlog.CheckRecord: %v", err)
		}
		fmt.Printf("ok entry %d of %d\n", proof.LeafIndex, cp.size)
	case "consistency":
		if len(args) < 4 {
			return fmt.Errorf("usage: vuptinterop consistency VKEY OLD_CHECKPOINT_FILE PROOF_FILE")
		}
		oldSigned, err := os.ReadFile(args[2])
		if err != nil {
			return err
		}
		old, err := openCheckpoint(vkey, oldSigned)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(args[3])
		if err != nil {
			return err
		}
		var proof struct {
			Hashes     []string `json:"hashes"`
			Checkpoint string   `json:"checkpoint"`
		}
		if err := json.Unmarshal(data, &proof); err != nil {
			return err
		}
		current, err := openCheckpoint(vkey, []byte(proof.Checkpoint))
		if err != nil {
			return err
		}
		hashes, err := decodeHashes(proof.Hashes)
		if err != nil {
			return err
		}
		if err := tlog.CheckTree(tlog.TreeProof(hashes), current.size, current.root, old.size, old.root); err != nil {
			return fmt.Errorf("tlog.CheckTree: %v", err)
		}
		fmt.Printf("ok %d extends %d\n", current.size, old.size)
	default:
		return fmt.Errorf("unknown mode %q", args[0])
	}
	return nil
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "vuptinterop:", err)
		os.Exit(1)
	}
}
