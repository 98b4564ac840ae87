"""Realistic model answers with the parse each must give (``None``: must stay unparsed).

Each row is ``Row(parser, raw, context, expected)``; ``parser`` names an entry of ``PARSERS`` in
``test_corpus.py`` and ``context`` is what that parser needs (the options of a multiple-choice item, the
label set, the reference for a match). The answers are written the way real chat models answer: bare
letters, hedges, markdown, LaTeX, chain of thought, Chinese, refusals, and answers naming two options
(which must never be credited).
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Row(NamedTuple):
    parser: str
    raw: Any
    context: Any
    expected: Any


COLORS = ["red", "green", "blue", "yellow"]
ANIMALS = ["A cat sleeping on a sofa", "A dog running on grass", "A bird on a branch", "A fish in a tank"]
SEASONS = ["Spring", "Summer", "Autumn", "Winter", "None of the above"]
MOTION = ["The car turns left", "The car turns right", "The car stops", "The car reverses"]
CLOCK_OPTIONS = ["quarter", "quarter past", "half past", "quarter to"]
SYLLOGISM = ["The conclusion follows", "The conclusion does not follow", "Cannot be determined"]

# ----------------------------------------------------------------------------------------- multiple choice
MULTIPLE_CHOICE = [
    # bare letters and their decorations
    Row("option", "B", COLORS, "B"),
    # JSON nobody asked for
    Row("option", '{"answer": "C"}', COLORS, "C"),
    Row("option", '```json\n{"answer": "B", "explanation": "The sky is blue."}\n```', COLORS, "B"),
    Row("option", "b", COLORS, "B"),
    Row("option", "(C)", COLORS, "C"),
    Row("option", "C.", COLORS, "C"),
    Row("option", "D)", COLORS, "D"),
    Row("option", "[A]", COLORS, "A"),
    Row("option", " A \n", COLORS, "A"),
    Row("option", "**B**", COLORS, "B"),
    Row("option", "`C`", COLORS, "C"),
    Row("option", "Option B", COLORS, "B"),
    Row("option", "option d", COLORS, "D"),
    Row("option", "E", COLORS, None),  # beyond the four options
    Row("option", "B. green", COLORS, "B"),
    Row("option", "(B) green", COLORS, "B"),
    Row("option", "B) green", COLORS, "B"),
    Row("option", "B: green", COLORS, "B"),
    Row("option", "C - blue", COLORS, "C"),
    Row("option", "**B. green**", COLORS, "B"),
    Row("option", "B is correct.", COLORS, "B"),
    # answer phrases
    Row("option", "Answer: C", COLORS, "C"),
    Row("option", "Answer: (D)", COLORS, "D"),
    Row("option", "answer: b", COLORS, "B"),
    Row("option", "The answer is A.", COLORS, "A"),
    Row("option", "The answer is (B).", COLORS, "B"),
    Row("option", "The correct answer is C) blue.", COLORS, "C"),
    Row("option", "The correct option is D.", COLORS, "D"),
    Row("option", "The best answer is B", COLORS, "B"),
    Row("option", "Final answer: A", COLORS, "A"),
    Row("option", "My answer is C.", COLORS, "C"),
    Row("option", "I choose B.", COLORS, "B"),
    Row("option", "I'd go with option D.", COLORS, "D"),
    Row("option", "I would select (A).", COLORS, "A"),
    Row("option", "Answer: I think B", COLORS, "B"),
    # hedges
    Row("option", "I think it's B", COLORS, "B"),
    Row("option", "I think it's B.", COLORS, "B"),
    Row("option", "It's C.", COLORS, "C"),
    Row("option", "It is D", COLORS, "D"),
    Row("option", "I believe B", COLORS, "B"),
    Row("option", "Probably B.", COLORS, "B"),  # hedged, but B is the one answer given (as can_infer reads it)
    Row("option", "That would be option C.", COLORS, "C"),
    # markdown and LaTeX
    Row("option", "**Answer:** C", COLORS, "C"),
    Row("option", "**Answer: C**", COLORS, "C"),
    Row("option", "### Answer\nC", COLORS, "C"),
    Row("option", "## Final Answer\n\n**(B)**", COLORS, "B"),
    Row("option", "> Answer: A", COLORS, "A"),
    Row("option", "$\\boxed{D}$", COLORS, "D"),
    Row("option", "The final answer is $\\boxed{B}$.", COLORS, "B"),
    Row("option", "\\boxed{\\text{C}}", COLORS, "C"),
    Row("option", "\\[ \\boxed{(A)} \\]", COLORS, "A"),
    # Chinese
    Row("option", "答案是B", COLORS, "B"),
    Row("option", "答案：B", COLORS, "B"),
    Row("option", "答案: C", COLORS, "C"),
    Row("option", "答案为D。", COLORS, "D"),
    Row("option", "选B", COLORS, "B"),
    Row("option", "我选C。", COLORS, "C"),
    Row("option", "正确答案是（A）", COLORS, "A"),
    Row("option", "选项B正确。", COLORS, "B"),
    Row("option", "根据图片，答案应该是D。", COLORS, "D"),
    Row("option", "无法确定。", COLORS, None),
    # chain of thought ending in the answer
    Row("option", "The sky in the image is clear and the car is painted blue, so the answer is (C).", COLORS, "C"),
    Row("option", "Let's analyze each option.\nA. red: no.\nB. green: no.\nC. blue: yes.\nTherefore, the answer is C.",
        COLORS, "C"),
    Row("option", "Option A is incorrect because the cat is awake. Option B is wrong too. The answer is D.",
        ANIMALS, "D"),
    Row("option", "First, the animal has feathers. Second, it sits on a branch. Thus the correct answer is B.", ANIMALS,
        "B"),
    Row("option", "Step 1: look at the leaves.\nStep 2: they are orange.\nFinal answer: (C)", SEASONS, "C"),
    Row("option", "The leaves are falling and orange, which indicates autumn. Therefore, C.", SEASONS, "C"),
    Row("option", "<think>Maybe A? No, the leaves are orange.</think>\nC", SEASONS, "C"),
    Row("option", "<think>Let me think about whether it is A or B", SEASONS, None),  # cut off while reasoning
    Row("option", "Looking at the trajectory, the vehicle steers right at the junction. So B.", MOTION, "B"),
    Row("option", "The car's brake lights are on and it is not moving; the answer would be C.", MOTION, "C"),
    # option text instead of a letter
    Row("option", "green", COLORS, "B"),
    Row("option", "Blue.", COLORS, "C"),
    Row("option", "The car is yellow.", COLORS, "D"),
    Row("option", "A dog running on grass", ANIMALS, "B"),
    Row("option", "The image shows a bird on a branch.", ANIMALS, "C"),
    Row("option", "Winter", SEASONS, "D"),
    Row("option", "The car turns right", MOTION, "B"),
    Row("option", "It is not red, it is green.", COLORS, "B"),
    # several options named: never credited
    Row("option", "The answer is B and C", COLORS, None),
    Row("option", "The answer is B or C.", COLORS, None),
    Row("option", "B and C", COLORS, None),
    Row("option", "B, C", COLORS, None),
    Row("option", "B or D", COLORS, None),
    Row("option", "Answer: A, B", COLORS, None),
    Row("option", "The answer is either B or C.", COLORS, None),
    Row("option", "(A) and (D)", COLORS, None),
    Row("option", "Both B and C are correct.", COLORS, None),
    Row("option", "答案是B和C", COLORS, None),
    Row("option", "It could be red or green.", COLORS, None),
    Row("option", "It could be A, but B is also possible.", COLORS, None),
    Row("option", "A. red\nB. green\nC. blue\nD. yellow", COLORS, None),  # options recited
    Row("option", "Option A is incorrect. Option B is correct.", COLORS, "B"),  # A is negated
    # refusals and non-answers
    Row("option", "I cannot determine the answer from the image.", COLORS, None),
    Row("option", "I'm sorry, but I can't help with that.", COLORS, None),
    Row("option", "I'm sorry, I cannot see the image.", ANIMALS, None),
    Row("option", "As an AI, I am unable to view images.", COLORS, None),
    Row("option", "There is not enough information to answer.", SEASONS, None),
    Row("option", "Answer: I do not know", COLORS, None),
    Row("option", "no idea", COLORS, None),
    Row("option", "", COLORS, None),
    Row("option", "   ", COLORS, None),
    Row("option", "The answer is not A.", COLORS, None),
    Row("option", "purple", COLORS, None),
    Row("option", "I think the answer might be B, but it could also be C.", COLORS, None),
    Row("option", "It's A? No wait, it's B.", COLORS, None),  # self-contradicting hedge: not credited
    Row("option", "Among the options, B fits best.", COLORS, "B"),
    # more real phrasings
    Row("option", "Choice: C", COLORS, "C"),
    Row("option", "Correct option: B", COLORS, "B"),
    Row("option", "The answer might be B.", COLORS, "B"),
    Row("option", "The answer is C, not B.", COLORS, "C"),
    Row("option", "So the answer is B and not C.", COLORS, "B"),
    Row("option", "The answer is B, because C is the color of the sky.", COLORS, "B"),
    Row("option", "After considering A and B, I'd choose C.", COLORS, "C"),
    Row("option", "A and B are both incorrect. The answer is C.", COLORS, "C"),
    Row("option", "B) green\n\nExplanation: The car is green.", COLORS, "B"),
    Row("option", "B\n\nThe car is green because of its paint.", COLORS, "B"),
    Row("option", "Answer:\n\nB", COLORS, "B"),
    Row("option", "The answer is **C**.", COLORS, "C"),
    Row("option", "Therefore, the answer is $\\boxed{\\textbf{(B)}}$", COLORS, "B"),
    Row("option", "The image shows a green car (B).", COLORS, "B"),
    Row("option", "答案：B. 绿色", COLORS, "B"),
    Row("option", "（B）", COLORS, "B"),
    Row("option", "B。", COLORS, "B"),
    Row("option", "A", COLORS, "A"),
    Row("option", "A.", COLORS, "A"),
    Row("option", "A red car is shown, so the answer is D.", COLORS, "D"),
    Row("option", "The answer is a yellow car.", COLORS, "D"),
    Row("option", "Answer - C", COLORS, "C"),
    Row("option", "C is the answer.", COLORS, "C"),
    Row("option", "None of the above", SEASONS, "E"),
    # more chat-model phrasings
    Row("option", "**Answer: (B) green**", COLORS, "B"),
    Row("option", "Option (B) is correct.", COLORS, "B"),
    Row("option", "The correct choice is: B) green", COLORS, "B"),
    Row("option", "B) green is the right color.", COLORS, "B"),
    Row("option", "I'm confident it's (D).", COLORS, "D"),
    Row("option", "The car is green, which corresponds to option B.", COLORS, "B"),
    Row("option", "Option B: green", COLORS, "B"),
    Row("option", "Correct answer: **B**", COLORS, "B"),
    Row("option", "green (B)", COLORS, "B"),
    Row("option", "The right option here is C", COLORS, "C"),
    Row("option", "D. yellow\n\nThe car in the image is painted yellow.", COLORS, "D"),
    Row("option", "The image shows a red car, but the correct answer is green because the question asks about the "
        "truck. B", COLORS, "B"),
    Row("option", "My final answer is C.", COLORS, "C"),
    Row("option", "ANSWER: D", COLORS, "D"),
    Row("option", "答案：C（蓝色）", COLORS, "C"),
    Row("option", "Neither A nor B; the answer is C.", COLORS, "C"),
    Row("option", "Not A. The answer is D.", COLORS, "D"),
    Row("option", "The car is not yellow.", COLORS, None),
    # one option's text inside another's: the longer exact text wins
    Row("option", "quarter past", CLOCK_OPTIONS, "B"),
    Row("option", "It's a quarter past ten.", CLOCK_OPTIONS, "B"),
    Row("option", "Quarter to eleven", CLOCK_OPTIONS, "D"),
    Row("option", "The minute hand shows a quarter.", CLOCK_OPTIONS, "A"),
    Row("option", "Half past or quarter past, the hands are blurry.", CLOCK_OPTIONS, None),
    # the first committed answer wins over later mentions; negated options never selected
    Row("option", "B. The conclusion does not follow; option A does not follow because the premises are about cats.",
        SYLLOGISM, "B"),
    Row("option", "The conclusion does not follow.", SYLLOGISM, "B"),
    Row("option", "Option A does not follow, so B.", SYLLOGISM, "B"),
    Row("option", "The answer is (B) The conclusion does not follow.", SYLLOGISM, "B"),
    Row("option", "Cannot be determined", SYLLOGISM, "C"),
    Row("option", "It is not possible to tell whether the conclusion follows, so C.", SYLLOGISM, "C"),
    Row("option", "The conclusion follows.", SYLLOGISM, "A"),
    Row("option", "(A) The conclusion follows", SYLLOGISM, "A"),
    Row("option", "I would go with B since the premises don't support it.", SYLLOGISM, "B"),
    Row("option", "Option A does not follow.", SYLLOGISM, None),
    # diacritics and hyphens in option texts
    Row("option", "Citroen", ["Peugeot", "Citroën", "Renault", "Škoda"], "B"),
    Row("option", "The emblem is Skoda's.", ["Peugeot", "Citroën", "Renault", "Škoda"], "D"),
    Row("option", "Chang Dai chien painted it.", ["Qi Baishi", "Chang Dai-chien", "Xu Beihong"], "B"),
]

# ----------------------------------------------------------------------------------------- yes / no
YES_NO = [
    Row("yes_no", "Yes", None, "yes"),
    Row("yes_no", '{"answer": "yes", "confidence": 0.9}', None, "yes"),
    Row("yes_no", '{"answer": false}', None, "no"),
    Row("yes_no", "yes.", None, "yes"),
    Row("yes_no", "YES", None, "yes"),
    Row("yes_no", "Yes, it is.", None, "yes"),
    Row("yes_no", "Yes, there is a dog in the image.", None, "yes"),
    Row("yes_no", "**Yes**", None, "yes"),
    Row("yes_no", "Answer: yes", None, "yes"),
    Row("yes_no", "The answer is yes.", None, "yes"),
    Row("yes_no", "Correct, the light is green.", None, "yes"),
    Row("yes_no", "是的", None, "yes"),
    Row("yes_no", "是，图中有一只猫。", None, "yes"),
    Row("yes_no", "No", None, "no"),
    Row("yes_no", "no.", None, "no"),
    Row("yes_no", "No, it is not.", None, "no"),
    Row("yes_no", "No, there is no dog in the picture.", None, "no"),
    Row("yes_no", "Nope.", None, "no"),
    Row("yes_no", "**No**", None, "no"),
    Row("yes_no", "Answer: No", None, "no"),
    Row("yes_no", "不是", None, "no"),
    Row("yes_no", "否", None, "no"),
    Row("yes_no", "There is no dog in the image.", None, "no"),
    Row("yes_no", "The person is holding an umbrella, so yes.", None, "yes"),
    Row("yes_no", "Yes or no, it is hard to say.", None, None),
    Row("yes_no", "I cannot tell from the image.", None, None),
    Row("yes_no", "I'm sorry, I can't determine that.", None, None),
    Row("yes_no", "The cat is black.", None, None),
    Row("yes_no", "", None, None),
    Row("yes_no", "I can't see any dog in the picture, so no.", None, "no"),
    Row("yes_no", "I cannot see the image.", None, None),
    Row("yes_no", "I don't know.", None, None),
]

# ----------------------------------------------------------------------------------------- free-text labels
CARS = ["Toyota", "Honda", "Ford", "BMW"]
SARCASM = ["sarcastic", "not sarcastic"]
SENTIMENT = ["positive", "negative", "neutral"]
LABELS = [
    Row("label", "Toyota", CARS, "Toyota"),
    Row("label", '{"label": "Honda"}', CARS, "Honda"),
    Row("label", "It is a Toyota.", CARS, "Toyota"),
    Row("label", "The car in the image is a Honda Civic.", CARS, "Honda"),
    Row("label", "**Ford**", CARS, "Ford"),
    Row("label", "Answer: bmw", CARS, "BMW"),
    Row("label", "It is not a Toyota, it is a Honda.", CARS, "Honda"),
    Row("label", "It could be a Toyota or a Honda.", CARS, None),
    Row("label", "I cannot identify the car brand.", CARS, None),
    Row("label", "A Tesla.", CARS, None),
    Row("label", "sarcastic", SARCASM, "sarcastic"),
    Row("label", "Not sarcastic.", SARCASM, "not sarcastic"),
    Row("label", "The utterance is sarcastic.", SARCASM, "sarcastic"),
    Row("label", "This is NOT sarcastic.", SARCASM, "not sarcastic"),
    Row("label", "I'm sorry, I cannot decide whether it is sarcastic.", SARCASM, None),
    Row("label", "Positive", SENTIMENT, "positive"),
    Row("label", "The sentiment is negative.", SENTIMENT, "negative"),
    Row("label", "Sentiment: neutral", SENTIMENT, "neutral"),
    Row("label", "positive or negative", SENTIMENT, None),
    Row("label", "yes", ["yes", "no"], "yes"),
    Row("label", "Yes, it is.", ["yes", "no"], "yes"),
    Row("label", "No, it isn't.", ["yes", "no"], "no"),
]

# answers read with the label context the prompt passes (classification.parse_answer): look-alike labels,
# labels inside sentences, negations, committed answers, code tables, yes/no codes, diacritics, multi-label sets
NLI = {"labels": ["entailment", "neutral", "contradiction"]}
TEMPORAL = {"labels": ["BEFORE", "AFTER", "IBEFORE", "IAFTER", "INCLUDES", "IS_INCLUDED", "BEGINS", "BEGUN_BY", "ENDS",
                       "ENDED_BY", "SIMULTANEOUS", "DURING", "IDENTITY"]}
CAR_MAKES = {"labels": ["Citroën", "Peugeot", "Renault", "Škoda", "Mercedes-Benz"]}
PAINTERS = {"labels": ["Chang Dai-chien", "Qi Baishi", "Xu Beihong", "Wu Guanzhong"]}
CLOCK = {"labels": ["quarter", "quarter past", "half past", "quarter to", "o'clock"]}
INTENT = {"labels": ["a o l", "a p l", "b o l", "b p m", "a p m"],
          "label_codes": {"a": "activate", "b": "deactivate", "o": "lights", "p": "music", "l": "kitchen",
                          "m": "none"}}
EMOTION_CODES = {"labels": ["0", "1", "2"], "label_codes": {"0": "negative", "1": "neutral", "2": "positive"}}
BIRD = {"labels": ["0", "1"], "yes_no_codes": {"yes": "1", "no": "0"}}
LESION = {"labels": ["yes", "no"]}
LESION_TYPES = {"labels": ["benign", "malignant"]}
NOTE = {"labels": ["bright", "dark", "distortion", "fast_decay", "long_release", "multiphonic", "nonlinear_env",
                   "percussive", "reverb", "tempo-synced"], "multi_label": True}
SARCASM_CTX = {"labels": ["sarcastic", "not sarcastic"]}
STANCE = {"labels": ["favor", "against", "none"]}
SENTIMENT_CTX = {"labels": ["positive", "negative", "neutral"]}
ACCENTS = {"labels": ["british", "american", "indian", "australian"]}
FURNITURE = {"labels": ["chair", "table", "sofa", "bed"]}
CAR_BRANDS = {"labels": ["GMC", "Toyota", "Ford"]}
TV_SHOWS = {"labels": ["Friends", "Seinfeld"]}
VEHICLES_3D = {"labels": ["car", "bus", "bicycle"]}
#: a question offering its own candidates (no label set, no options): read against them like labels
CHEMISTRY = {"question": "Which solution has a higher concentration of green particles? The candidate choices are "
                         "['Solution B', 'Solution A', 'neither; their concentrations are the same']."}
NEITHER = "neither; their concentrations are the same"
FURNITURE_3D = {"labels": ["chair", "table", "sofa"]}
ANSWERS = [
    # NLI in sentences
    Row("answer", "neutral", NLI, "neutral"),
    Row("answer", "Neutral.", NLI, "neutral"),
    Row("answer", "The relationship is **neutral**: the premise does not say whether the man is waiting.", NLI,
        "neutral"),
    Row("answer", "**Entailment** - dogs are animals, and running on grass means they are outside.", NLI,
        "entailment"),
    Row("answer", "Contradiction. An empty cup cannot be full of tea.", NLI, "contradiction"),
    Row("answer", "The hypothesis contradicts the premise, so the relationship is contradiction.", NLI,
        "contradiction"),
    Row("answer", "Category: entailment", NLI, "entailment"),
    Row("answer", "ENTAILMENT", NLI, "entailment"),
    Row("answer", "It is not neutral; the premise clearly entails it, so: entailment.", NLI, "entailment"),
    Row("answer", "It is not neutral.", NLI, None),  # only a negation: no answer
    Row("answer", "entailment or neutral", NLI, None),
    Row("answer", "Either entailment or neutral, depending on who he is waiting for.", NLI, None),
    Row("answer", "Neutral. The premise neither supports entailment nor implies a contradiction.", NLI, "neutral"),
    Row("answer", "The answer is neutral, although it could also be entailment.", NLI, None),
    Row("answer", "Is it entailment? The premise doesn't say he waits for someone, so the answer is neutral.", NLI,
        "neutral"),
    Row("answer", "I'm sorry, I can't determine the relationship.", NLI, None),
    Row("answer", "The man might be waiting, or he might just be standing there.", NLI, None),
    Row("answer", "Entailment, contradiction, or neutral", NLI, None),  # the choices recited
    # temporal relations: look-alike labels
    Row("answer", "IBEFORE (the invasion ended immediately before the surrender began)", TEMPORAL, "IBEFORE"),
    Row("answer", "The relation is INCLUDES.", TEMPORAL, "INCLUDES"),
    Row("answer", "IS_INCLUDED", TEMPORAL, "IS_INCLUDED"),
    Row("answer", "is included", TEMPORAL, "IS_INCLUDED"),
    Row("answer", "The meeting IS_INCLUDED in the conference week.", TEMPORAL, "IS_INCLUDED"),
    Row("answer", "BEGUN_BY", TEMPORAL, "BEGUN_BY"),
    Row("answer", "Begun by: the war was begun by the invasion.", TEMPORAL, "BEGUN_BY"),
    Row("answer", "BEGINS", TEMPORAL, "BEGINS"),
    Row("answer", "The first event BEGINS the second one.", TEMPORAL, "BEGINS"),
    Row("answer", "BEFORE", TEMPORAL, "BEFORE"),
    Row("answer", "The temporal relation is BEFORE, not IBEFORE, since there is a gap between them.", TEMPORAL,
        "BEFORE"),
    Row("answer", "**AFTER** - the treaty was signed after the war ended.", TEMPORAL, "AFTER"),
    Row("answer", "ended_by", TEMPORAL, "ENDED_BY"),
    Row("answer", "Simultaneous.", TEMPORAL, "SIMULTANEOUS"),
    Row("answer", "BEFORE or IBEFORE", TEMPORAL, None),
    Row("answer", "INCLUDES / IS_INCLUDED", TEMPORAL, None),
    Row("answer", "The relation is DURING; it is not SIMULTANEOUS because the second event is shorter.", TEMPORAL,
        "DURING"),
    # diacritics, hyphens, spaces
    Row("answer", "Citroen", CAR_MAKES, "Citroën"),
    Row("answer", "This is a Citroën C3.", CAR_MAKES, "Citroën"),
    Row("answer", "CITROËN", CAR_MAKES, "Citroën"),
    Row("answer", "The logo is Skoda's winged arrow.", CAR_MAKES, "Škoda"),
    Row("answer", "Mercedes Benz", CAR_MAKES, "Mercedes-Benz"),
    Row("answer", "It is a Mercedes-Benz, not a Renault.", CAR_MAKES, "Mercedes-Benz"),
    Row("answer", "Peugeot or Citroen, both use similar grilles.", CAR_MAKES, None),
    Row("answer", "Chang Dai-chien", PAINTERS, "Chang Dai-chien"),
    Row("answer", "This painting is by Chang Dai chien.", PAINTERS, "Chang Dai-chien"),
    Row("answer", "The painter is Chang Daichien.", PAINTERS, "Chang Dai-chien"),
    Row("answer", "**Qi Baishi** (the shrimp are his signature subject)", PAINTERS, "Qi Baishi"),
    Row("answer", "Xu Beihong, known for his galloping horses.", PAINTERS, "Xu Beihong"),
    Row("answer", "It resembles Xu Beihong's horses, but the brushwork is Wu Guanzhong's.", PAINTERS, "Wu Guanzhong"),
    Row("answer", "Either Xu Beihong or Wu Guanzhong.", PAINTERS, None),
    # one label inside another
    Row("answer", "quarter past", CLOCK, "quarter past"),
    Row("answer", "It is quarter past three.", CLOCK, "quarter past"),
    Row("answer", "Quarter to four.", CLOCK, "quarter to"),
    Row("answer", "quarter", CLOCK, "quarter"),
    Row("answer", "The minute hand points at the quarter.", CLOCK, "quarter"),
    Row("answer", "Half past two", CLOCK, "half past"),
    Row("answer", "Three o'clock.", CLOCK, "o'clock"),
    # code tables: the code or its meaning
    Row("answer", "a o l", INTENT, "a o l"),
    Row("answer", "The intent is a o l.", INTENT, "a o l"),
    Row("answer", "Activate the lights in the kitchen.", INTENT, "a o l"),
    Row("answer", "Action: activate, object: lights, location: kitchen", INTENT, "a o l"),
    Row("answer", "The speaker wants to deactivate the music.", INTENT, "b p m"),  # location none
    Row("answer", "activate music kitchen", INTENT, "a p l"),
    Row("answer", "Turn something on.", INTENT, None),
    Row("answer", "2", EMOTION_CODES, "2"),
    Row("answer", "Positive", EMOTION_CODES, "2"),
    Row("answer", "The emotion is negative.", EMOTION_CODES, "0"),
    Row("answer", "1 (neutral)", EMOTION_CODES, "1"),
    Row("answer", "The speaker sounds neutral, not negative.", EMOTION_CODES, "1"),
    Row("answer", "The speaker's 2 sentences sound positive.", EMOTION_CODES, "2"),
    # yes/no onto the prompt's codes
    Row("answer", "Yes, a bird is singing in the background.", BIRD, "1"),
    Row("answer", "No, I only hear wind.", BIRD, "0"),
    Row("answer", "1", BIRD, "1"),
    Row("answer", "0", BIRD, "0"),
    Row("answer", "Answer: 1", BIRD, "1"),
    Row("answer", "Birdsong.", BIRD, None),
    Row("answer", "Malignant.", LESION, None),  # not yes/no and not a label
    Row("answer", "Yes, the lesion looks malignant.", LESION, "yes"),
    Row("answer", "No.", LESION, "no"),
    Row("answer", "Malignant.", LESION_TYPES, "malignant"),
    Row("answer", "The lesion is benign, not malignant.", LESION_TYPES, "benign"),
    Row("answer", "It is not malignant.", LESION_TYPES, None),
    # labels that begin with a negation; stance
    Row("answer", "Not sarcastic.", SARCASM_CTX, "not sarcastic"),
    Row("answer", "The speaker is being sarcastic here.", SARCASM_CTX, "sarcastic"),
    Row("answer", "This is NOT sarcastic; the speaker means it.", SARCASM_CTX, "not sarcastic"),
    Row("answer", "FAVOR - the tweet supports the policy.", STANCE, "favor"),
    Row("answer", "The stance is against.", STANCE, "against"),
    Row("answer", "none", STANCE, "none"),
    # committed answers in explanations
    Row("answer", "The review is positive overall, though it mentions some negative aspects.", SENTIMENT_CTX,
        "positive"),
    Row("answer", "Positive. The reviewer is negative about the price but positive overall.", SENTIMENT_CTX,
        "positive"),
    Row("answer", "Positive words are absent; the tone is negative.", SENTIMENT_CTX, "negative"),
    Row("answer", "The accent sounds American, though there are hints of a British influence.", ACCENTS, "american"),
    Row("answer", "Based on the audio, the speaker has a British accent.", ACCENTS, "british"),
    Row("answer", "The speaker has a strong Indian accent.", ACCENTS, "indian"),
    Row("answer", "British or Australian, hard to tell.", ACCENTS, None),
    Row("answer", "The object in the point cloud appears to be a chair, possibly a sofa.", FURNITURE, None),
    Row("answer", "This looks like a sofa.", FURNITURE, "sofa"),
    Row("answer", "It's a table, not a chair.", FURNITURE, "table"),
    Row("answer", "Chair or table", FURNITURE, None),
    Row("answer", "A wooden chair with four legs and a backrest.", FURNITURE, "chair"),
    # sample-tree label tasks answered the way chat models answer
    Row("answer", "The logo on the grille reads GMC, so this is a GMC Sierra.", CAR_BRANDS, "GMC"),
    Row("answer", "This is a Ford truck, not a Toyota.", CAR_BRANDS, "Ford"),
    Row("answer", "Toyota Camry", CAR_BRANDS, "Toyota"),
    Row("answer", "I believe the car is a Toyota, although it could be a Ford.", CAR_BRANDS, None),
    Row("answer", "It appears to be a pickup truck from GMC.", CAR_BRANDS, "GMC"),
    Row("answer", "The brand is likely Ford based on the blue oval logo.", CAR_BRANDS, "Ford"),
    Row("answer", "This scene is from the TV show Friends.", TV_SHOWS, "Friends"),
    Row("answer", "This looks like a scene from Seinfeld, with Jerry's apartment in the background.",
        TV_SHOWS, "Seinfeld"),
    Row("answer", "The show is **Friends**.", TV_SHOWS, "Friends"),
    Row("answer", "Friends? No, it's Seinfeld.", TV_SHOWS, "Seinfeld"),
    Row("answer", "The point cloud shows a bus.", VEHICLES_3D, "bus"),
    Row("answer", "Bicycle.", VEHICLES_3D, "bicycle"),
    Row("answer", "This 3D model represents a car.", VEHICLES_3D, "car"),
    Row("answer", "It is a two-wheeled vehicle, a bicycle, not a car.", VEHICLES_3D, "bicycle"),
    Row("answer", "The object is a chair.", FURNITURE_3D, "chair"),
    Row("answer", "A sofa (couch).", FURNITURE_3D, "sofa"),
    Row("answer", "I can't see any object in the input.", FURNITURE_3D, None),
    Row("answer", "The speaker has a British accent.", ACCENTS, "british"),
    Row("answer", "American English", ACCENTS, "american"),
    Row("answer", "The accent is Indian.", ACCENTS, "indian"),
    Row("answer", "Based on the pronunciation, I'd say the speaker is from India.", ACCENTS, None),
    Row("answer", "The premise and hypothesis are in contradiction.", NLI, "contradiction"),
    Row("answer", "Contradiction: the cup cannot be both empty and full.", NLI, "contradiction"),
    Row("answer", "The hypothesis contradicts the premise.", NLI, "contradiction"),
    Row("answer", "Answer: entailment\n\nThe premise states two dogs run on grass, which entails animals being "
        "outside.", NLI, "entailment"),
    Row("answer", "entailment.", NLI, "entailment"),
    Row("answer", "**Category:** Neutral", NLI, "neutral"),
    Row("answer", "The relationship between the premise and hypothesis is neutral because the premise does not "
        "indicate that the man is waiting for someone.",
        NLI, "neutral"),
    Row("answer", "The point cloud shows two chairs.", FURNITURE_3D, "chair"),
    Row("answer", "Buses, judging by the length and the rows of windows.", VEHICLES_3D, "bus"),
    Row("answer", "Chairs and a table.", FURNITURE_3D, None),
    # an alternative offered beside a label, in or outside the label set: no commitment
    Row("answer", "chair or stool", FURNITURE_3D, None),
    Row("answer", "table/desk", FURNITURE_3D, None),
    Row("answer", "A chair, maybe a stool.", FURNITURE_3D, None),
    Row("answer", "Sounds American, maybe Canadian.", ACCENTS, None),
    Row("answer", "GMC or Chevrolet", CAR_BRANDS, None),
    Row("answer", "Chevrolet or GMC", CAR_BRANDS, None),
    Row("answer", "b p m, but it might be a p l", INTENT, None),
    Row("answer", "Probably chair.", FURNITURE_3D, "chair"),
    Row("answer", "It's either a chair or a stool.", FURNITURE_3D, None),
    Row("answer", "Chair (possibly a stool)", FURNITURE_3D, None),
    Row("answer", "Chair, or possibly a stool", FURNITURE_3D, None),
    Row("answer", "It's a chair or something similar.", FURNITURE_3D, "chair"),
    Row("answer", "A chair, not a stool.", FURNITURE_3D, "chair"),
    Row("answer", "Is it a chair or a stool? It is a chair.", FURNITURE_3D, "chair"),
    Row("answer", "I'd say British, although it could be Scottish.", ACCENTS, None),
    Row("answer", "British. It could also be Scottish.", ACCENTS, None),
    Row("answer", "British (maybe Irish)", ACCENTS, None),
    Row("answer", "chair, I think", FURNITURE_3D, "chair"),
    Row("answer", "A chair (or more precisely an armchair).", FURNITURE_3D, "chair"),
    Row("answer", "dark or reverb", NOTE, None),  # multi-label: alternatives, not a set
    Row("answer", "Distorted, with a long release.", NOTE, ["distortion", "long_release"]),  # adjective of a label
    Row("answer", "Bright, not distorted.", NOTE, ["bright"]),
    # a negation, then the commitment after a dash; a code in bold before a dash
    Row("answer", "It's not Seinfeld \u2014 it's Friends.", TV_SHOWS, "Friends"),
    Row("answer", "**1** \u2014 a bird is singing in the background.", BIRD, "1"),
    Row("answer", "Chang Dai-chien", PAINTERS, "Chang Dai-chien"),
    # multi-label: every label named and not negated
    Row("answer", "bright, percussive", NOTE, ["bright", "percussive"]),
    Row("answer", "The note is bright and percussive, but not distorted.", NOTE, ["bright", "percussive"]),
    Row("answer", "Distortion, long release", NOTE, ["distortion", "long_release"]),
    Row("answer", "It sounds dark.", NOTE, ["dark"]),
    Row("answer", "The qualities are: fast decay, reverb, tempo synced.", NOTE,
        ["fast_decay", "reverb", "tempo-synced"]),
    Row("answer", "bright; not dark", NOTE, ["bright"]),
    Row("answer", "I cannot hear the audio.", NOTE, None),
    Row("answer", "A plain sine tone.", NOTE, None),
]

# candidates the question offers in its own text (no options, no label set): read like labels
OFFERED_CHOICES = [
    Row("answer", "Solution B", CHEMISTRY, "Solution B"),
    Row("answer", "solution a", CHEMISTRY, "Solution A"),
    Row("answer", "B", CHEMISTRY, "Solution B"),  # the one letter that tells the candidates apart
    Row("answer", "The answer is B.", CHEMISTRY, "Solution B"),
    Row("answer", "Option A", CHEMISTRY, "Solution A"),
    Row("answer", "Solution A, since it has more particles per volume than Solution B.", CHEMISTRY, "Solution A"),
    Row("answer", "The answer is Solution A.", CHEMISTRY, "Solution A"),
    Row("answer", "Solution A has more green particles than Solution B.", CHEMISTRY, "Solution A"),
    Row("answer", "neither", CHEMISTRY, NEITHER),  # a part of a candidate written in parts
    Row("answer", "Their concentrations are the same.", CHEMISTRY, NEITHER),
    Row("answer", "Neither — they are equal.", CHEMISTRY, NEITHER),
    Row("answer", "Neither Solution A nor Solution B has a higher concentration.", CHEMISTRY, NEITHER),
    Row("answer", "Solution A or Solution B", CHEMISTRY, None),
    Row("answer", "It looks like Solution A, but it could be Solution B.", CHEMISTRY, None),
    Row("answer", "Not Solution A.", CHEMISTRY, None),
    Row("answer", "I can't see the image clearly enough to compare the solutions.", CHEMISTRY, None),
]

# free-text answers matched against one reference (no label set): classification.answer_correct
MATCHES = [
    Row("match", "It is a Toyota.", "Toyota", True),
    Row("match", "Toyota", "Toyota", True),
    Row("match", "toyota.", "Toyota", True),
    Row("match", "It is not a Toyota.", "Toyota", False),
    Row("match", "It is a Honda.", "Toyota", False),
    Row("match", "Toyota or Honda", "Toyota", False),
    Row("match", "Yes, it is.", "yes", True),
    Row("match", "Yes, it is.", "no", False),
    Row("match", "No, there is none.", "no", True),
    Row("match", "42 apples", "42", True),
    Row("match", "There are 42 apples in the basket.", "42", True),
    Row("match", "4,2", "42", False),
    Row("match", "Solution B", "Solution A", False),  # the last "A" names the solution, it is no article
    Row("match", "It is Solution A.", "Solution A", True),
    Row("match", "Solution", "Solution A", False),
    Row("match", "Horses", "horse", True),  # the plural names the reference
    Row("match", "Horses and a cow", "horse", True),
    Row("match", "4,200 people", "4200", True),
    Row("match", "4,200", "4,200", True),
    Row("match", "The answer is B and C", "B", False),
    Row("match", "I think it's B", "B", True),
    Row("match", "A", "", False),  # an empty reference matches nothing
    Row("match", "", "", False),
    Row("match", "The light is red.", "red", True),
    Row("match", "Answer: Paris", "Paris", True),
    Row("match", "I'm sorry, I cannot tell the color.", "red", False),
    Row("match", "seven", "7", True),
]

# ----------------------------------------------------------------------------------------- numbers
NUMBERS = [
    Row("number", "42", None, 42.0),
    Row("number", "\\frac{1}{2}", None, 0.5),
    Row("number", "$\\dfrac{3}{4}$", None, 0.75),
    Row("number", '{"answer": "\\frac{1}{2}"}', None, 0.5),  # LaTeX written unescaped inside JSON
    Row("number", '{"answer": 42}', None, 42.0),
    Row("number", '{"final_answer": "7", "reasoning": "3 + 4"}', None, 7.0),
    Row("number", "42 apples", None, 42.0),
    Row("number", "There are 42 apples.", None, 42.0),
    Row("number", "The answer is 7.", None, 7.0),
    Row("number", "Answer: 12", None, 12.0),
    Row("number", "**Answer:** 5", None, 5.0),
    Row("number", "$\\boxed{18}$", None, 18.0),
    Row("number", "The final answer is $\\boxed{3.5}$ meters.", None, 3.5),
    Row("number", "4,200", None, 4200.0),
    Row("number", "About 1,234,567 people live there.", None, 1234567.0),
    Row("number", "The population is 4,200.", None, 4200.0),
    Row("number", "4,2", None, 4.2),  # a decimal comma, never 42
    Row("number", "2,5", None, 2.5),
    Row("number", "2,500", None, 2500.0),
    Row("number", "4,2345", None, None),  # neither a thousands group nor a decimal comma: ambiguous
    # the first committed number wins over numbers in its explanation; CoT still ends on its answer
    Row("number", "5 (the series increases by 1)", None, 5.0),
    Row("number", "Next value: 4.0 (each step subtracts 2).", None, 4.0),
    Row("number", "42 (if he had eaten 2 it would be 40, but he did not).", None, 42.0),
    Row("number", "7 — three red and four blue ones.", None, 7.0),
    Row("number", "12 - 7 = 5", None, 5.0),
    Row("number", "3 apples and 2 pears make 5 fruits.", None, 5.0),
    Row("number", "6 or 7", None, None),  # two numbers offered: no commitment
    Row("number", "Probably 6, maybe 7.", None, None),
    Row("number", "between 6 and 7", None, None),
    Row("number", "The difference is 2 (4 - 2), so the next value is 10.", None, 10.0),
    Row("number", "5 (the series increases by 1, so each step adds 1)", None, 5.0),
    Row("number", "5 because it adds 1 each step", None, 5.0),
    Row("number", "The next value is 5 (since it adds 1).", None, 5.0),
    Row("number", "5. Each step adds 1.", None, 5.0),
    Row("number", "1. Count the apples: 3. 2. Add the pears: 2. So 5.", None, 5.0),
    Row("number", "12.5 cm", None, 12.5),
    Row("number", "-3", None, -3.0),
    Row("number", "The temperature is -5°C.", None, -5.0),
    Row("number", "$1,299.99", None, 1299.99),
    Row("number", "45%", None, 45.0),
    Row("number", "0.75", None, 0.75),
    Row("number", ".5", None, 0.5),
    Row("number", "1e3", None, 1000.0),
    Row("number", "There are seven birds.", None, 7.0),
    Row("number", "Three.", None, 3.0),
    Row("number", "I count 3 cars and 4 trucks, 7 vehicles in total.", None, 7.0),
    Row("number", "3 + 4 = 7, so the answer is 7.", None, 7.0),
    Row("number", "There are 3 red apples and 2 green ones, so 5 apples in total.", None, 5.0),
    Row("number", "Step 1: 12 rows. Step 2: 4 per row. Total: 48", None, 48.0),
    Row("number", "答案是15", None, 15.0),
    Row("number", "共有8只羊。", None, 8.0),
    Row("number", "图中有6辆车。", None, 6.0),
    Row("number", "<think>maybe 3 or 4</think>The answer is 4.", None, 4.0),
    Row("number", "I cannot count the objects in this image.", None, None),
    Row("number", "I'm sorry, I can't count 3D objects.", None, None),
    Row("number", "none", None, None),
    Row("number", "nan", None, None),
    Row("number", "", None, None),
    Row("number", "There are many people.", None, None),
    Row("number", "1/2", None, 0.5),
    Row("number", "The answer is 3/4.", None, 0.75),
    Row("number", "Twenty-one", None, 21.0),
    Row("number", "There are forty two chairs.", None, 42.0),
    Row("number", "Approximately 3,000 meters", None, 3000.0),
    Row("number", "The year is 2019.", None, 2019.0),
    Row("number", "Answer: 10 people", None, 10.0),
    Row("number", "I estimate the count at about 150.", None, 150.0),
]

# ----------------------------------------------------------------------------------------- anomaly scores
ANOMALY = [
    Row("anomaly", "0.85", None, 0.85),
    Row("anomaly", "Anomaly score: 0.12", None, 0.12),
    Row("anomaly", "The anomaly score is 0.9.", None, 0.9),
    Row("anomaly", "85%", None, 0.85),
    Row("anomaly", "Yes", None, 1.0),
    Row("anomaly", "Yes, there is a crack on the bottle.", None, 1.0),
    Row("anomaly", "No", None, 0.0),
    Row("anomaly", "No anomaly detected.", None, 0.0),
    Row("anomaly", "The image is normal.", None, 0.0),
    Row("anomaly", "The capsule has a scratch.", None, 1.0),
    Row("anomaly", "Anomalous", None, 1.0),
    Row("anomaly", "The product looks defect-free.", None, 0.0),
    Row("anomaly", "1", None, 1.0),
    Row("anomaly", "0", None, 0.0),
    Row("anomaly", "I cannot determine whether it is defective.", None, None),
    Row("anomaly", "The screw is made of metal.", None, None),
    # a stated confidence belongs to the decision, not to an anomaly score
    Row("anomaly", "No, the part looks normal (confidence: 95%)", None, 0.05),
    Row("anomaly", "Yes, there is a crack. Confidence: 0.9", None, 0.9),
    Row("anomaly", "I am 80% sure it is defective.", None, 0.8),
    Row("anomaly", "No defects found. Certainty: 0.6", None, 0.4),
    Row("anomaly", "Confidence: 95%", None, None),
    Row("anomaly", "There is a scratch, 90% confidence", None, 0.9),
    Row("anomaly", "Probability of defect: 10%. I am 90% confident.", None, 0.1),  # a stated score wins
    Row("anomaly", "0.7 (confidence: 60%)", None, 0.7),
    Row("anomaly", "Anomaly probability: 0.2. Confidence: 80%", None, 0.2),
    Row("anomaly", '{"answer": "Yes", "confidence": 0.9}', None, 0.9),
    Row("anomaly", '{"answer": false, "confidence": 0.8}', None, 0.2),
    Row("anomaly", "There is no defect.", None, 0.0),
]

# ----------------------------------------------------------------------------------------- judge verdicts
VERDICTS = [
    Row("verdict", "YES", None, 1.0),
    Row("verdict", "Yes.", None, 1.0),
    Row("verdict", "Correct.", None, 1.0),
    Row("verdict", "The model answer is correct.", None, 1.0),
    Row("verdict", "NO", None, 0.0),
    Row("verdict", "No", None, 0.0),
    Row("verdict", "No, the answer mentions a dog instead of a cat.", None, 0.0),
    Row("verdict", "Not correct.", None, 0.0),
    Row("verdict", "Incorrect", None, 0.0),
    Row("verdict", "The answer isn't correct.", None, 0.0),
    Row("verdict", "The answer is not consistent with the reference.", None, 0.0),
    Row("verdict", "Wrong.", None, 0.0),
    Row("verdict", "maybe", None, None),
]

# ----------------------------------------------------------------------------------------- boxes
_B = {"label": None, "score": 1.0}
BOXES = [
    Row("boxes", '{"car": [[10, 20, 30, 40]]}',
        None, [{"label": "car", "bbox": [10.0, 20.0, 30.0, 40.0], "score": 1.0}]),
    Row("boxes", '```json\n{"person": [[1, 2, 3, 4], [5, 6, 7, 8]]}\n```', None,
        [{"label": "person", "bbox": [1.0, 2.0, 3.0, 4.0], "score": 1.0},
         {"label": "person", "bbox": [5.0, 6.0, 7.0, 8.0], "score": 1.0}]),
    Row("boxes", 'Here are the detected objects:\n```json\n{"dog": [12.5, 30, 100, 80]}\n```\nLet me know!', None,
        [{"label": "dog", "bbox": [12.5, 30.0, 100.0, 80.0], "score": 1.0}]),
    Row("boxes", '[{"label": "cat", "bbox": [0, 0, 50, 50], "score": 0.9}]', None,
        [{"label": "cat", "bbox": [0.0, 0.0, 50.0, 50.0], "score": 0.9}]),
    Row("boxes", '[{"class": "bird", "box": [1, 1, 2, 2]}]', None,
        [{"label": "bird", "bbox": [1.0, 1.0, 2.0, 2.0], "score": 1.0}]),
    Row("boxes", '{"boxes": [[1, 2, 3, 4]]}', None, [{**_B, "bbox": [1.0, 2.0, 3.0, 4.0]}]),
    Row("boxes", "[[1, 2, 3, 4], [5, 6, 7, 8]]", None,
        [{**_B, "bbox": [1.0, 2.0, 3.0, 4.0]}, {**_B, "bbox": [5.0, 6.0, 7.0, 8.0]}]),
    Row("boxes", "The car is at [100, 200, 50, 60].", None, [{**_B, "bbox": [100.0, 200.0, 50.0, 60.0]}]),
    Row("boxes", "{'car': [[10, 20, 30, 40]]}",
        None, [{"label": "car", "bbox": [10.0, 20.0, 30.0, 40.0], "score": 1.0}]),
    Row("boxes", '{"car": [[10, 20, 30, 40],]}',
        None, [{"label": "car", "bbox": [10.0, 20.0, 30.0, 40.0], "score": 1.0}]),
    Row("boxes", '```\n[{"label": "truck", "bbox": [5, 5, 10, 10]}]\n```', None,
        [{"label": "truck", "bbox": [5.0, 5.0, 10.0, 10.0], "score": 1.0}]),
    Row("boxes", "[]", None, []),
    Row("boxes", "{}", None, []),
    Row("boxes", "There is no object here.", None, None),
    Row("boxes", '{"car": "left side"}', None, None),
    Row("boxes", "I'm sorry, I cannot detect objects.", None, None),
]

FRAME_BOXES = [
    Row("frame_boxes", '{"boxes": [[1, 2, 3, 4], [2, 3, 4, 5]]}', None, [[1.0, 2.0, 3.0, 4.0], [2.0, 3.0, 4.0, 5.0]]),
    Row("frame_boxes", '```json\n{"boxes": [[10, 10, 20, 20], null, [12, 11, 20, 20]]}\n```', None,
        [[10.0, 10.0, 20.0, 20.0], None, [12.0, 11.0, 20.0, 20.0]]),
    Row("frame_boxes", 'The target moves right:\n{"boxes": [[0, 0, 5, 5], [1, 0, 5, 5]]}', None,
        [[0.0, 0.0, 5.0, 5.0], [1.0, 0.0, 5.0, 5.0]]),
    Row("frame_boxes", "[[1, 2, 3, 4], [1, 2, 3, 4]]", None, [[1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0]]),
    Row("frame_boxes", '{"0": [1, 2, 3, 4], "1": [2, 2, 3, 4]}', None, [[1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 3.0, 4.0]]),
    Row("frame_boxes", '{"boxes": [[1, 2, 3, 4], []]}', None, [[1.0, 2.0, 3.0, 4.0], None]),
    Row("frame_boxes", "{'boxes': [(1, 2, 3, 4)]}", None, [[1.0, 2.0, 3.0, 4.0]]),
    Row("frame_boxes", '{"boxes": []}', None, None),
    Row("frame_boxes", "The object leaves the frame.", None, None),
]

POLYGONS = [
    Row("polygons", '{"polygons": [[10, 10, 50, 10, 50, 50, 10, 50]]}',
        None, [[10.0, 10.0, 50.0, 10.0, 50.0, 50.0, 10.0, 50.0]]),
    Row("polygons", '```json\n{"polygons": [[0, 0, 4, 0, 4, 4], [5, 5, 9, 5, 9, 9]]}\n```', None,
        [[0.0, 0.0, 4.0, 0.0, 4.0, 4.0], [5.0, 5.0, 9.0, 5.0, 9.0, 9.0]]),
    Row("polygons", 'The segmented region:\n{"polygons": [[1, 1, 3, 1, 3, 3]]}\nThis covers the cat.', None,
        [[1.0, 1.0, 3.0, 1.0, 3.0, 3.0]]),
    Row("polygons", '{"polygon": [[1, 1], [3, 1], [3, 3]]}', None, [[1.0, 1.0, 3.0, 1.0, 3.0, 3.0]]),
    Row("polygons", "[[1, 1, 3, 1, 3, 3]]", None, [[1.0, 1.0, 3.0, 1.0, 3.0, 3.0]]),
    Row("polygons", "[1, 1, 3, 1, 3, 3]", None, [[1.0, 1.0, 3.0, 1.0, 3.0, 3.0]]),
    Row("polygons", "[[[1, 1], [3, 1], [3, 3]], [[5, 5], [7, 5], [7, 7]]]", None,
        [[1.0, 1.0, 3.0, 1.0, 3.0, 3.0], [5.0, 5.0, 7.0, 5.0, 7.0, 7.0]]),
    Row("polygons", "{'polygons': [[0, 0, 2, 0, 2, 2]]}", None, [[0.0, 0.0, 2.0, 0.0, 2.0, 2.0]]),
    Row("polygons", '{"polygons": []}', None, []),
    Row("polygons", '{"polygons": [[1, 2, 3]]}', None, None),  # fewer than three points
    Row("polygons", "The target is in the upper left.", None, None),
    Row("polygons", '{"boxes": [[1, 2, 3, 4]]}', None, None),
]

# ----------------------------------------------------------------------------------------- captions
CAPTIONS = [
    Row("caption", "A dog runs across a grassy field.", None, "A dog runs across a grassy field."),
    Row("caption", '{"answer": "A dog runs across a grassy field."}', None, "A dog runs across a grassy field."),
    # an object that is not an answer wrapper stays as written
    Row("caption", '{"text": "hi", "images": []}', None, '{"text": "hi", "images": []}'),
    Row("caption", "Caption: A man riding a bike.", None, "A man riding a bike."),
    Row("caption", '"Two children playing on the beach."', None, "Two children playing on the beach."),
    Row("caption", "**Caption:** A red bus on a city street.", None, "A red bus on a city street."),
    Row("caption", "Here is a caption for the image: A cat on a windowsill.", None, "A cat on a windowsill."),
    Row("caption", "<think>It looks like a kitchen.</think>A modern kitchen with white cabinets.", None,
        "A modern kitchen with white cabinets."),
    Row("caption", "一只狗在草地上奔跑。", None, "一只狗在草地上奔跑。"),
    Row("caption", "描述：一个男人在骑自行车。", None, "一个男人在骑自行车。"),
    Row("caption", "两个孩子在海滩上玩耍", None, "两个孩子在海滩上玩耍"),
    Row("caption", "I'm sorry, I can't describe this image.", None, None),
    Row("caption", "抱歉，我无法描述这张图片。", None, None),
    Row("caption", "", None, None),
    # chat wrappers a grader strips; the content is kept as written
    Row("caption", "Sure! Here's a summary:\n\nThe city's new park opened Sunday.", None,
        "The city's new park opened Sunday."),
    Row("caption", "Great question! There is a red tractor in the field.", None,
        "There is a red tractor in the field."),
    Row("caption", "Here is a concise summary of the text:\n\n> Heavy rain flooded two streets.", None,
        "Heavy rain flooded two streets."),
    Row("caption", "**Summary:** New city park opens to big crowds.", None, "New city park opens to big crowds."),
    Row("caption", "Sure! Here's a summary: The team won.\n\nLet me know if you'd like a longer version!", None,
        "The team won."),
    Row("caption", "The team won. Let me know if you'd like a shorter summary.", None, "The team won."),
    Row("caption", "A dog on a beach. It looks happy.", None, "A dog on a beach. It looks happy."),
]

CORPUS: list[Row] = [
    *MULTIPLE_CHOICE, *YES_NO, *LABELS, *ANSWERS, *OFFERED_CHOICES, *MATCHES, *NUMBERS, *ANOMALY, *VERDICTS,
    *BOXES, *FRAME_BOXES, *POLYGONS, *CAPTIONS,
]
