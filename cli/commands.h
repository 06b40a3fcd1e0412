/*
 * cli/commands.h - the subcommands of `eseal`. Each is implemented in its own
 * cmd_<name>.c as `int cmd_<fn>(int argc, char **argv)` (argv[0] is the
 * subcommand name) and returns an exit code (see cli/cli.h).
 * X(name-as-typed, function, one-line help)
 */
#define ES_CLI_COMMANDS(X) \
    X("pki", cmd_pki, "pki init DIR: create a throwaway SM2 PKI for demos and tests") \
    X("seal", cmd_seal, "seal make|image: make a v4 seal, draw a seal picture") \
    X("sign", cmd_sign, "sign a file with a seal: detached v4 SES_Signature") \
    X("verify", cmd_verify, "verify a seal, a detached signature or a document") \
    X("ofd", cmd_ofd, "ofd sign|verify: seal and verify OFD documents") \
    X("pdf", cmd_pdf, "pdf sign|verify|list: seal and verify PDF documents") \
    X("inspect", cmd_inspect, "print any seal or signature as a tree; extract its picture") \
    X("ts", cmd_ts, "ts request|reply|verify: RFC 3161 time stamps with SM2") \
    X("audit", cmd_audit, "audit verify: check the hash chain of an exported eseald audit log") \
    X("trustlist", cmd_trustlist, "trustlist create|sign|inspect|verify: signed lists of recognised makers, CAs, TSAs, platforms") \
    X("log", cmd_log, "log verify: check transparency-log proofs, tree heads and exports offline") \
    X("demo", cmd_demo, "guided demo: PKI, seal, sign, verify, tamper, verify")
