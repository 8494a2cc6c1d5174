/* SPDX-License-Identifier: BSD-3-Clause */
/* The usage texts: `linecap --help` (every subcommand) and `linecap replay --help`. */
#include <stdio.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/replay_args.h"

void
lc_cli_usage(FILE *f)
{
	fprintf(f, "Usage: linecap capture -i DEV [-i DEV ...] -w FILE [options]   capture\n"
		   "       linecap replay -i DEV -r FILE [-r FILE ...] [options]  send files out "
		   "of a port\n"
		   "       linecap replay --check -r FILE [-r FILE ...]   only check the files\n"
		   "       linecap list [--eal 'ARGS'] [-i DEV ...]   ports, interfaces, drivers\n"
		   "       linecap repair FILE [FILE...]   cut a capture cut short back to its "
		   "last whole record\n"
		   "       linecap query -r DIR|FILE... [--since T] [--until T] [-w OUT|-] [EXPR]\n"
		   "                                       packets of capture files, time-merged\n"
		   "       linecap index FILE...   (re)build the sidecar index FILE.idx\n"
		   "       linecap --version | --help\n"
		   "       (replay options: linecap replay --help; query: linecap query --help)\n"
		   "\n"
		   "capture options:\n"
		   "  -i DEV                   PCI address or DPDK devargs (net_null0,size=64), "
		   "repeatable\n"
		   "  -w FILE                  pcap output; %%q = writer index; - = stdout\n"
		   "  -s SNAPLEN               bytes kept per packet (default 262144; 0 = "
		   "default)\n"
		   "  -c COUNT                 stop after COUNT packets\n"
		   "  --duration SEC           stop after SEC seconds\n"
		   "  --queues N               rx queues per port = writers = files (default 1)\n"
		   "  --lcores auto|LIST       lcores, first is main (default auto)\n"
		   "  --pmd-config NAME|FILE   PMD profile (default: chosen by driver)\n"
		   "  --eal 'ARGS'             extra EAL arguments, e.g. '--no-huge -m 512'\n"
		   "  --tstamp-precision nano|micro   pcap timestamp resolution (default nano)\n"
		   "  --stats-json FILE        write the final counters as JSON\n"
		   "  --no-direct-io           buffered writes even where O_DIRECT works\n"
		   "  --flush-ms MS            a packet reaches the file within MS ms under light "
		   "traffic\n"
		   "                           (default 1000; 0 = only when a block fills or at "
		   "close)\n"
		   "  --mtu N                  DPDK port MTU (default: from -s, up to the device's "
		   "maximum)\n"
		   "  -Z UID[:GID]             after setup, run as UID:GID with no capabilities\n"
		   "  --file-mode OCTAL        permissions of output files (default 0600)\n"
		   "  --on-disk-full drop|stop  drop and retry until space returns (default), or "
		   "stop\n"
		   "  --metrics ADDR:PORT      serve Prometheus /metrics and /healthz (e.g. "
		   "127.0.0.1:9100)\n"
		   "  -q                       no live status line\n"
		   "  -v                       show DPDK's own messages\n"
		   "  -F pcap|pcapng           output format (default pcap)\n"
		   "  -C MB                    new file after MB x 1,000,000 bytes (files get "
		   "a number suffix)\n"
		   "  -G SEC                   new file on every multiple of SEC (wall clock); "
		   "strftime in -w\n"
		   "  -W N                     keep only the newest N files (per writer)\n"
		   "  -z CMD                   run CMD FILE on every finished file (with -C/-G)\n"
		   "  --max-disk SIZE          with -C: delete the oldest files of this -w "
		   "pattern\n"
		   "                           so they never take more than SIZE bytes (k/M/G/T)\n"
		   "  --min-free PERCENT       with -C/-G: delete the oldest files of this -w "
		   "pattern\n"
		   "                           to keep PERCENT of the file system free\n"
		   "  --index                  write FILE.idx beside each file, while capturing, "
		   "for\n"
		   "                           `linecap query` (files only; default off)\n"
		   "  -f EXPR | trailing EXPR  tcpdump filter expression (pcap-filter(7))\n"
		   "  --source dpdk|pcap       force the DPDK or the libpcap path (default: "
		   "libpcap for kernel interfaces)\n"
		   "  -B KiB                   libpcap path: kernel buffer size (default 2048)\n"
		   "  --forward IFACE          also send every packet the filter accepts out of\n"
		   "                           IFACE, live, for tcpdump/Suricata/Zeek: a DPDK "
		   "device\n"
		   "                           (net_tap0,iface=lcfwd0 creates a TAP interface) or "
		   "a\n"
		   "                           kernel interface name (sent through "
		   "net_af_packet);\n"
		   "                           DPDK path only; counted as forwarded / dropped by "
		   "forward\n");
}

void
lc_cli_replay_usage(FILE *f)
{
	fprintf(f, "Usage: linecap replay -i DEV -r FILE [timing] [options]\n"
		   "  -i DEV              DPDK device (PCI address or devargs such as\n"
		   "                      net_memif0,role=client,socket=/run/m.sock), or a\n"
		   "                      kernel interface (sent with libpcap's pcap_inject)\n"
		   "  -r FILE             pcap or pcapng file, checked completely first;\n"
		   "                      repeat -r to send several files in order\n"
		   "timing (one of; default: the file's own gaps):\n"
		   "  --speed X           the file's gaps divided by X\n"
		   "  --pps N             N packets per second\n"
		   "  --mbps N            N megabits per second of packet data\n"
		   "  -t, --topspeed      as fast as the port takes them\n"
		   "options:\n"
		   "  -l, --loop N        send the file N times (default 1; 0 = until stopped)\n"
		   "  -K, --preload       load every packet into mbufs before sending\n"
		   "  --queues N          tx queues (one tx task each; default 1)\n"
		   "  --lcores auto|LIST  lcores, first is main (default auto)\n"
		   "  --eal 'ARGS'        extra EAL arguments, e.g. '--no-huge -m 512'\n"
		   "  --link-wait SEC     wait up to SEC for the link (default 10)\n"
		   "  --linger SEC        keep the port up SEC after the last packet, so a\n"
		   "                      peer (memif) reads what is still queued (default 0.5)\n"
		   "  --no-retry          drop what the port refuses, as a NIC does (counted\n"
		   "                      as dropped); default: offer it again\n"
		   "  --stats-json FILE   write the final counters as JSON\n"
		   "  --check             only check the files (no -i needed): one line each\n"
		   "  -q                  no live status line\n"
		   "  -v                  show DPDK's own messages\n");
}

void
lc_cli_query_usage(FILE *f)
{
	fprintf(f, "Usage: linecap query -r DIR|FILE [-r ...] [--since T] [--until T] [-w OUT|-]\n"
		   "                     [-F pcap|pcapng] [--max-mbps N] [-v] [EXPR]\n"
		   "  -r DIR|FILE     capture files (a directory: its pcap/pcapng files)\n"
		   "  --since T       packets at or after T; --until T: before T. T is RFC 3339\n"
		   "                  (2026-12-05T13:04:05Z), relative (-15m, -2h, -1d) or epoch\n"
		   "                  seconds\n"
		   "  -w OUT|-        output file (default -, stdout: | tcpdump -r -)\n"
		   "  -F pcap|pcapng  output format (default pcap)\n"
		   "  --max-mbps N    read the captures at most N Mbit/s\n"
		   "  -v              say how the indexes are used\n"
		   "  EXPR            tcpdump filter expression (pcap-filter(7)); the result is\n"
		   "                  exact and merged in time stamp order\n");
}

void
lc_cli_index_usage(FILE *f)
{
	fprintf(f, "Usage: linecap index [--unit-kib N] [--bloom-bytes N] [-q] FILE...\n"
		   "  writes FILE.idx next to each pcap or pcapng FILE (atomically: .part then\n"
		   "  rename), for linecap query\n"
		   "  --unit-kib N      bytes of records per index entry, in KiB (default 256)\n"
		   "  --bloom-bytes N   key summary per entry, a power of two 64..65536 (default "
		   "4096)\n"
		   "  -q                no line per file\n");
}
