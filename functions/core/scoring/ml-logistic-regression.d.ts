/** Types for the parts of ml-logistic-regression 2 (mljs) that training uses. */
declare module 'ml-logistic-regression' {
  import type { Matrix } from 'ml-matrix';
  type TwoClass = { weights: Matrix; testScores(features: Matrix): number[] };
  export default class LogisticRegression {
    constructor(options?: { numSteps?: number; learningRate?: number });
    classifiers: TwoClass[];
    numberClasses: number;
    train(X: Matrix, Y: Matrix): void;
    predict(X: Matrix): number[];
  }
}
