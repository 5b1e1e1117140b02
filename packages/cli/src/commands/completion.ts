/**
 * `gitward completion bash|zsh|fish`: shell completion scripts generated from the commander
 * command tree, so every command, subcommand and flag is offered without a hand-kept list.
 * The scripts complete names only (flag values and arguments are left to the shell's defaults).
 */
import { Command } from 'commander';
import { ErrorCode, GitwardError } from '@gitward/model';
import type { Output } from '../output.ts';

/** One command of the tree: its path from the root, subcommands and flags. */
export interface CompletionNode {
  /** Space-separated path without the program name: '' for the root, 'app sync', ... */
  readonly path: string;
  readonly description: string;
  readonly subcommands: readonly { readonly name: string; readonly description: string }[];
  readonly flags: readonly {
    readonly long?: string | undefined;
    readonly short?: string | undefined;
    readonly description: string;
  }[];
}

/** Flattens the tree, root first; hidden commands and options are left out. */
export function completionTree(root: Command): CompletionNode[] {
  const nodes: CompletionNode[] = [];
  const visit = (cmd: Command, path: string): void => {
    // Help knows what is hidden; its implicit `help` command is not in the tree, so it is dropped.
    const help = cmd.createHelp();
    const subs = help.visibleCommands(cmd).filter((c) => cmd.commands.includes(c));
    nodes.push({
      path,
      description: cmd.description(),
      subcommands: subs.map((c) => ({ name: c.name(), description: c.description() })),
      flags: help
        .visibleOptions(cmd)
        .map((o) => ({ long: o.long, short: o.short, description: o.description })),
    });
    for (const c of subs) visit(c, path === '' ? c.name() : `${path} ${c.name()}`);
  };
  visit(root, '');
  return nodes;
}

const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
/** fish escapes inside single quotes instead of closing and reopening them. */
const fq = (s: string): string => `'${s.replace(/[\\']/g, (c) => `\\${c}`)}'`;

function words(n: CompletionNode): string {
  const flags = n.flags.flatMap((f) => [f.long, f.short]).filter((f): f is string => !!f);
  return [...n.subcommands.map((s) => s.name), ...flags].join(' ');
}

/**
 * The command path the words typed so far lead to: a word extends the path only when it names a
 * subcommand of it, so flags and their values are skipped.
 */
function pathCase(nodes: readonly CompletionNode[], indent: string): string {
  const paths = nodes.filter((n) => n.path !== '').map((n) => sq(n.path));
  return `${indent}case "$next" in\n${indent}  ${paths.join('|')}) cmdpath="$next" ;;\n${indent}esac`;
}

function bash(name: string, nodes: readonly CompletionNode[]): string {
  const fn = `_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const cases = nodes.map((n) => `    ${sq(n.path)}) words=${sq(words(n))} ;;`).join('\n');
  return `# bash completion for ${name}; load with: source <(${name} completion bash)
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmdpath="" next words i
  for ((i = 1; i < COMP_CWORD; i++)); do
    [[ "\${COMP_WORDS[i]}" == -* ]] && continue
    next="\${cmdpath:+$cmdpath }\${COMP_WORDS[i]}"
${pathCase(nodes, '    ')}
  done
  case "$cmdpath" in
${cases}
    *) words='' ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F ${fn} ${name}
`;
}

function zsh(name: string, nodes: readonly CompletionNode[]): string {
  const fn = `_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  // zsh's `path` and `words` are special parameters: the script uses other names.
  const cases = nodes.map((n) => `    (${sq(n.path)}) candidates=(${words(n)}) ;;`).join('\n');
  return `#compdef ${name}
# zsh completion for ${name}; load with: source <(${name} completion zsh)
${fn}() {
  local cmdpath="" next w
  local -a candidates
  for w in "\${(@)words[2,CURRENT-1]}"; do
    [[ "$w" == -* ]] && continue
    next="\${cmdpath:+$cmdpath }$w"
    case "$next" in
      (${nodes
        .filter((n) => n.path !== '')
        .map((n) => sq(n.path))
        .join('|')}) cmdpath="$next" ;;
    esac
  done
  case "$cmdpath" in
${cases}
    (*) candidates=() ;;
  esac
  compadd -- "\${candidates[@]}"
}
if (( $+functions[compdef] )); then compdef ${fn} ${name}; fi
`;
}

function fish(name: string, nodes: readonly CompletionNode[]): string {
  const fn = `__${name.replace(/[^A-Za-z0-9_]/g, '_')}_path`;
  const lines = [
    `# fish completion for ${name}; load with: ${name} completion fish | source`,
    `function ${fn} --description 'the ${name} command path typed so far'`,
    '    set -l cmdpath ""',
    '    for w in (commandline -opc)[2..-1]',
    "        string match -q -- '-*' $w; and continue",
    '        set -l next (string trim -- "$cmdpath $w")',
    `        if contains -- $next ${nodes
      .filter((n) => n.path !== '')
      .map((n) => fq(n.path))
      .join(' ')}`,
    '            set cmdpath $next',
    '        end',
    '    end',
    '    test "$cmdpath" = "$argv[1]"',
    'end',
    `complete -c ${name} -f`,
  ];
  for (const n of nodes) {
    const cond = `-n ${fq(`${fn} ${fq(n.path)}`)}`;
    for (const s of n.subcommands)
      lines.push(`complete -c ${name} ${cond} -a ${fq(s.name)} -d ${fq(s.description)}`);
    for (const f of n.flags) {
      const long = f.long ? ` -l ${fq(f.long.replace(/^--/, ''))}` : '';
      const short = f.short ? ` -s ${fq(f.short.replace(/^-/, ''))}` : '';
      lines.push(`complete -c ${name} ${cond}${long}${short} -d ${fq(f.description)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export type Shell = 'bash' | 'zsh' | 'fish';

/** The completion script for `shell`, covering the whole tree under `root`. */
export function completionScript(root: Command, shell: Shell): string {
  const nodes = completionTree(root);
  const name = root.name();
  switch (shell) {
    case 'bash':
      return bash(name, nodes);
    case 'zsh':
      return zsh(name, nodes);
    case 'fish':
      return fish(name, nodes);
  }
}

/**
 * `gitward completion SHELL`; `root` is the program the command is added to, read when the
 * command runs so every command added after it is covered too.
 */
export function completionCommand(deps: { readonly output: Output }, root: Command): Command {
  return new Command('completion')
    .description('print a shell completion script (bash, zsh or fish)')
    .argument('<shell>', 'bash, zsh or fish')
    .action((shell: string) => {
      if (shell !== 'bash' && shell !== 'zsh' && shell !== 'fish')
        throw new GitwardError(
          ErrorCode.InvalidArgument,
          `unsupported shell ${shell}: use bash, zsh or fish`,
        );
      deps.output.out(completionScript(root, shell).trimEnd());
    });
}
