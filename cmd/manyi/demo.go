package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"manyi/survey/demo"
)

func init() {
	register("demo", "create the demo measurement if absent and print N new invitation links; --responses N simulates a completed measurement", runDemo)
}

func runDemo(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := dbFlag(fs)
	n := fs.Int("invitations", 5, "how many new invitation links to print")
	responses := fs.Int("responses", 0, "simulate `N` completed responses for demo-2026 and for last year's demo-2025 (once: a demo with responses keeps them)")
	base := fs.String("base-url", envOr("MANYI_BASE_URL", "http://"+envOr("MANYI_ADDR", "127.0.0.1:8080")),
		"public `URL` the links start with (env MANYI_BASE_URL)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "manyi demo: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *n < 1 {
		fmt.Fprintf(stderr, "manyi demo: --invitations must be at least 1, not %d\n", *n)
		return 2
	}
	if *responses < 0 || *responses > 100000 {
		fmt.Fprintf(stderr, "manyi demo: --responses must be from 0 to 100000, not %d\n", *responses)
		return 2
	}
	// With --responses alone no links are printed; --invitations given
	// too prints them as before.
	links := true
	if *responses > 0 {
		links = false
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "invitations" {
				links = true
			}
		})
	}
	ctx := context.Background()
	st, err := openStore(*db)
	if err != nil {
		return errExit(stderr, "demo", err)
	}
	defer st.Close()
	created, err := demo.Ensure(ctx, st)
	if err != nil {
		return errExit(stderr, "demo", err)
	}
	if created {
		fmt.Fprintf(stderr, "demo measurement %s created in %s\n", demo.ID, *db)
	}
	if *responses > 0 {
		sim, err := demo.Simulate(ctx, st, demo.SimOptions{Responses: *responses})
		if err != nil {
			return errExit(stderr, "demo", err)
		}
		ssim, err := demo.SimulateService(ctx, st, 0, 0)
		if err != nil {
			return errExit(stderr, "demo", err)
		}
		for k, v := range ssim.Added {
			sim.Added[k] = v
		}
		for k, v := range ssim.Existing {
			sim.Existing[k] = v
		}
		for _, id := range []string{demo.PrevID, demo.ID, demo.ServicePrevID, demo.ServiceID} {
			if n, ok := sim.Existing[id]; ok {
				fmt.Fprintf(stderr, "%s already has %d submitted responses: none added\n", id, n)
			} else {
				fmt.Fprintf(stderr, "%s: %d simulated responses stored\n", id, sim.Added[id])
			}
		}
	}
	if !links {
		return 0
	}
	toks, err := st.CreateInvitations(ctx, demo.ID, *n)
	if err != nil {
		return errExit(stderr, "demo", err)
	}
	// stdout carries only the links, one per line, for scripts.
	for _, t := range toks {
		fmt.Fprintln(stdout, link(*base, t))
	}
	return 0
}
