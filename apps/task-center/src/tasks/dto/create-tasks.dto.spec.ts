import { validatedAs } from '../../http/validation.pipe';
import { CreateTasksDto } from './create-tasks.dto';

const task = { name: 'a', type: 1, data: '' };
const problem = (body: object) => {
  try {
    validatedAs(CreateTasksDto, body);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
};

describe('CreateTasksDto', () => {
  it('names the one rule the list breaks, as the validation pipe answers it', () => {
    expect(problem({})).toBe('tasks must be an array of task definitions');
    expect(problem({ tasks: 'x' })).toBe('tasks must be an array of task definitions');
    expect(problem({ tasks: [] })).toBe('tasks must hold at least 1 task');
    expect(problem({ tasks: Array.from({ length: 1001 }, () => task) })).toBe(
      'tasks must hold at most 1000 tasks; send more in several requests',
    );
    expect(problem({ tasks: [task, null] })).toBe('tasks[1] must be an object (a task definition)');
    expect(problem({ tasks: [task, [task]] })).toBe(
      'tasks[1] must be an object (a task definition)',
    );
    expect(problem({ tasks: [task], more: 1 })).toBe('property more should not exist');
  });

  it('leaves the items to be checked one by one: 1000 of anything object-shaped pass', () => {
    expect(problem({ tasks: Array.from({ length: 1000 }, () => ({ name: 1 })) })).toBeUndefined();
  });
});
