/** Help texts. */
export const USAGE = `saccade: train and inspect Recurrent Attention Models (Mnih et al., NIPS 2014)

usage: npx saccade <command> [options]

commands:
  train     train a model: --preset centered|translated|cluttered60|cluttered100, any setting
  sweep     train one run per trial of a grid or random search and rank them:
            --grid locationStd=0.1,0.17 (repeatable) | --random learningRate=log:1e-4..3e-3 --trials N
  resume    continue a run from its last checkpoint: saccade resume RUN_ID
  queue     the run queue: list it; queue run [--concurrency N] [--watch] trains it headless;
            queue move ID POS | cancel ID | requeue RUN (train --queue and sweep --queue add to it)
  eval      test accuracy of a run (best checkpoint) or --model DIR, on the built-in test set or --data DIR
  trace     where a model looked: --images 0,1,2 [--mode mean|sampled] [--out traces.json]
  export    animated GIF/APNG of the glimpses: --images 0-7 [--out glimpses.gif] [--format apng]
            (trace and export take --image FILE.png instead: your own picture)
  fixations where a model looks over the test set: --out DIR [--mode mean|sampled] [--limit N]
  runs      list runs with their best, last and test accuracy (--sweep NAME: one sweep's, ranked)
  import    decode your own images once: saccade import DIR --name NAME [--image-size N] [--channels 1|3] [--skip-bad]
  datasets  list imported datasets
  presets   list presets and every setting with its default
  save-model  a run's checkpoint as a model folder: saccade save-model RUN --out DIR [--checkpoint best]
  bench     training and evaluation speed per preset: [--presets centered,translated] [--steps 60]
  serve     the studio in a browser: [--port 5178] [--host 127.0.0.1] [--no-open]

common options:
  --home DIR        where runs live (default: $SACCADE_HOME or the app's data folder)
  --backend NAME    force tensorflow-gpu, webgpu, tensorflow, wasm or cpu (default: best that loads)
  --json            one JSON object per line: events, then a summary
  --help            help for a command
`;

export const COMMAND_HELP: Record<string, string> = {
  train: `usage: saccade train [--preset NAME] [--epochs N] [--SETTING VALUE ...] [--name NAME] [--data DIR]
                     [--max-steps N] [--patience P] [--backend NAME] [--queue [--project NAME]] [--home DIR] [--json]

Every setting of 'saccade presets' can be given, in kebab-case or camelCase (--glimpse-size 8,
--glimpseSize 8); the reference's flags work too (--step --glimpse --scale --std --pixel --batch
--epoch --lr). --data takes an imported dataset's name (saccade datasets) or a folder: a
class-folder tree (DIR/<class>/*.png|jpg|jpeg|webp, or DIR/train/<class>/... and DIR/test/<class>/...)
or IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
t10k-labels-idx1-ubyte, optionally .gz, any square size, grey or count x side x side x 3 colour,
class names in an optional classes.txt), e.g. Fashion-MNIST. The image size, channels and classes
follow the data, and so does unitPixels (scaled from the preset's image size) unless given.
--patience P stops early once the validation accuracy has not improved for P epochs: the run is
completed and tested on its best checkpoint, and says why (needs a validation set).
Ctrl-C stops after the current step and saves a checkpoint; 'saccade resume RUN' continues.
--queue adds the run to the home's run queue instead of training it now (prints the entry's id and
position; --json the entry): the studio or 'saccade queue run' trains it when its turn comes.
--project NAME makes its run join that studio project (else the studio's first project adopts it).
`,
  sweep: `usage: saccade sweep [--preset NAME] (--grid SETTING=V1,V2 ... | --random SETTING=DIST:A..B ... --trials N [--seed S])
                     [--SETTING VALUE ...] [--name NAME] [--data DIR] [--max-steps N] [--patience P]
                     [--median-stop] [--backend NAME] [--queue [--project NAME]] [--home DIR] [--json]

The trials start from the base config (the preset plus the other settings given, as in train).
--grid repeats: one trial per combination of the values. --random draws each setting (log:A..B,
uniform:A..B or int:A..B) for N trials from the seed S (default: the config's seed), so the same
specs and seed give the same trials; --seed also seeds each trial's training. The trials run one
after another, each a normal run named "<sweep name> #k <trial>" with meta.sweep {name, trial,
settings}; --max-steps and --patience apply to each. --median-stop ends a trial (completed, tested
on its best checkpoint) whose validation accuracy after an epoch is below the median of the
earlier trials' accuracies at that epoch. The sweep ends with a ranking by best validation accuracy
(--json: last line {"type":"summary","sweep":NAME,"trials":[...]}); 'saccade runs --sweep NAME'
shows it again. Ctrl-C stops the current trial cleanly and ends the sweep, saying which trials ran.
--queue queues the trials in the run queue instead of training them now (see saccade queue --help);
with --median-stop each trial's table is taken from the sweep's finished trials when it starts.
`,
  queue: `usage: saccade queue [--json]                                 list the queue: position, state, name, run, settings
       saccade queue run [--concurrency N] [--watch] [--json]   train queued entries, N at a time (default 1)
       saccade queue move ENTRY POSITION                        move a queued entry (1: next to start)
       saccade queue cancel ENTRY                               take a queued or failed entry out
       saccade queue requeue RUN [--max-steps N] [--project NAME]  queue a stopped, failed or interrupted run to train on

The queue is HOME/queue.json, shared by the studio and every 'saccade' on that home. 'queue run'
trains entries in order until nothing is queued (--watch: keeps waiting for more), printing each
start and end. Ctrl-C or SIGTERM stops its trainings cleanly after their step and puts them back
in the queue as resumes, so the next runner continues them from their checkpoint; a runner that
was killed is noticed by the next one, which resumes its entries the same way.
`,
  resume: `usage: saccade resume RUN_ID [--max-steps N] [--patience P] [--backend NAME] [--json]

A resume keeps the run's --max-steps, --patience, --backend and --workers unless given anew.
`,
  eval: `usage: saccade eval (RUN_ID [--checkpoint NAME] | --model DIR) [--data DIR] [--mc M] [--limit N] [--seed S] [--json]

Prints the test accuracy with the policy's mean locations (deterministic) and averaged over M
Monte-Carlo samples of locations, and the first test images it gets wrong with mean locations
(--json: up to 20, as misclassified: [{index, label, prediction}]). Every random draw (a random
first glimpse, sampled locations) comes from the seed (default: the model's), the image's index
and the sample, so 'saccade trace --images I' shows what eval did with image I. --data DIR uses
that folder's (or import's) test images as they are; they must have the model's image size and channels.
`,
  trace: `usage: saccade trace (RUN_ID | --model DIR) (--images 0,1,5-9 | --image FILE.png [--invert auto|on|off])
                     [--mode mean|sampled] [--seed S] [--out FILE.json] [--save-as NAME] [--json]

--image FILE traces your own picture (PNG, JPEG, WebP): brought to the model's size, grey or colour
as it was trained, and inverted to its polarity (--invert auto, the default: when the picture's
border is light and the model's digits are light on dark; on: always; off: never). For grey
white-on-black models (MNIST) the ink is fitted into a 20x20 box and centred by its centre of mass,
as MNIST's digits were. The trace's index and label are -1.
`,
  export: `usage: saccade export (RUN_ID | --model DIR) (--images 0-7 | --image FILE.png [--invert auto|on|off]) [--out FILE]
                      [--format gif|apng] [--scale 4] [--delay 600] [--columns N] [--mode mean|sampled] [--seed S]\n`,
  fixations: `usage: saccade fixations (RUN_ID | --model DIR) --out DIR [--mode mean|sampled] [--limit N] [--grid N]
                         [--data DIR] [--seed S] [--json]

Traces the test images (the first N with --limit) and counts where each glimpse's centre falls,
per step and in all, for all images, per class (true label) and right or wrong. Writes
DIR/fixations.json (the counts, the mean image per class, the mean patch per step, the mean
movement per step in pixels) and heat maps over the mean test image: all.png, all-step1.png ...,
class-K-all.png, class-K-step1.png ..., right-all.png, wrong-all.png, and mean-patches.png.
`,
  runs: `usage: saccade runs [--sweep NAME] [--home DIR] [--json]\n\n--sweep NAME lists the runs of that sweep only, ranked by best validation accuracy.\n`,
  'save-model': `usage: saccade save-model RUN_ID --out DIR [--checkpoint best]

Writes the checkpoint's weights and config (no optimizer state) with the run's results into DIR,
a folder that eval, trace and export take with --model DIR.
`,
  presets: `usage: saccade presets [--json]\n`,
  import: `usage: saccade import DIR [--name NAME] [--image-size N] [--channels 1|3] [--skip-bad] [--class-names A,B,...] [--home DIR] [--json]

Decodes a class-folder tree (DIR/<class>/*.png|jpg|jpeg|webp, or DIR/train/<class>/... and
DIR/test/<class>/...) or an IDX folder once into HOME/datasets/NAME. Class names come from the
folder names (IDX: --class-names, classes.txt, else 0..N-1). Without a test split, 10% of each class (at least
one image) is held out, the same images every time. Images of several sizes are resized to the
most common (or --image-size N); colour stays colour unless --channels 1. A bad image stops the
import, naming it; --skip-bad imports the rest and lists what was skipped. Then:
saccade train --data NAME --preset centered.
`,
  datasets: `usage: saccade datasets [--home DIR] [--json]\n`,
  bench: `usage: saccade bench [--presets centered,translated,cluttered60,cluttered100] [--steps 60] [--backend NAME] [--batch-sizes 128,512] [--concurrent N] [--json]

Training images/s per preset (at each batch size: default the preset's, on a GPU backend 128, 256,
512 and 1024, the fastest marked) and the time to evaluate the 10,000 test images.
--concurrent N runs the bench alone, then N copies at once in separate trainer processes (as the
run queue with N trainings at once would) and prints the images/s of each and in all, as ratios
to the lone run: whether queue concurrency N pays on this machine.
`,
};
COMMAND_HELP.evaluate = COMMAND_HELP.eval;
COMMAND_HELP.serve = `usage: saccade serve [--port N] [--host H] [--no-open] [--home DIR]\n`;
